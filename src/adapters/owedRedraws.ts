import type { KeyValueRepo } from '../app/ports';

/** Stored while the process `owner` has a poll message in hand (a vote drawn, or still to draw, on it). */
interface Mark {
  /** The message's key in its platform's redrawer (`reviewId|rowId`, or a small group's `…|g:<group>`). */
  key: string;
  tenantId: string;
  owner: string;
  /** ISO time the mark was written. */
  at: string;
}

interface Stamp {
  at: string;
  by?: string;
}

export interface OwedRedrawsOptions {
  kv: KeyValueRepo;
  /** The marks' namespace; the owners' heartbeats are kept in `<namespace>:alive`, adoptions in `<namespace>:adopted`. */
  namespace: string;
  /** This process (unique per process start). */
  owner: string;
  now: () => number;
  /** An owner whose heartbeat is this much older (or missing) is gone, and its marks this old are adopted. */
  adoptAfterMs: number;
  log: (message: string, error?: unknown) => void;
}

/**
 * Durable marks of the poll messages a process owes a redraw, so that a process that dies without a clean stop
 * (SIGKILL, out of memory, a node lost) does not leave a poll showing an old count until its next vote.
 *
 * A redrawer (Slack's PollUpdater, Teams' PollCards) calls `owe` when it takes a message in hand (a vote on it)
 * and `paid` when it lets the message go drawn; each process has its own mark per message, so replicas drawing the
 * same message never clear each other's. Every process writes a heartbeat and sweeps: the marks of an owner whose
 * heartbeat is older than `adoptAfterMs` (or gone) are adopted by exactly one live process (a `putIfAbsent` claim),
 * which redraws them from the latest stored state (its redrawer marking them as its own as it takes them in hand). Nothing here is on a vote's path: the
 * marks are written beside it, and a failed write is logged and costs only this safety net.
 */
export class OwedRedraws {
  private readonly chains = new Map<string, Promise<void>>();
  private timer: NodeJS.Timeout | null = null;
  private readonly alive: string;
  private readonly adopted: string;
  readonly stats = { adopted: 0 };

  constructor(private readonly o: OwedRedrawsOptions) {
    this.alive = `${o.namespace}:alive`;
    this.adopted = `${o.namespace}:adopted`;
  }

  private markKey(key: string, owner = this.o.owner): string {
    return `${owner}|${key}`;
  }

  /** This process has the message in hand (its redraw is owed until `paid`). */
  owe(key: string, tenantId: string): Promise<void> {
    const value: Mark = { key, tenantId, owner: this.o.owner, at: new Date(this.o.now()).toISOString() };
    return this.serial(this.markKey(key), () => this.o.kv.put(this.o.namespace, this.markKey(key), value));
  }

  /** This process let the message go, drawn. */
  paid(key: string): Promise<void> {
    return this.serial(this.markKey(key), () => this.o.kv.delete(this.o.namespace, this.markKey(key)));
  }

  /** One write at a time per mark, in the order asked (a `paid` never overtakes the `owe` before it). */
  private serial(k: string, op: () => Promise<void>): Promise<void> {
    const chain = (this.chains.get(k) ?? Promise.resolve())
      .then(op)
      .catch((e: unknown) => {
        this.o.log('a poll redraw mark could not be written', e);
      })
      .finally(() => {
        if (this.chains.get(k) === chain) this.chains.delete(k);
      });
    this.chains.set(k, chain);
    return chain;
  }

  /** Writes this process's heartbeat (`start` does, and again every third of `adoptAfterMs`). */
  async heartbeat(): Promise<void> {
    await this.o.kv.put(this.alive, this.o.owner, {
      at: new Date(this.o.now()).toISOString(),
    } satisfies Stamp);
  }

  /**
   * Writes this process's heartbeat, adopts what gone processes owed (`redraw(tenantId, key)` schedules the
   * message's redraw), and does both again every third of `adoptAfterMs`.
   */
  async start(redraw: (tenantId: string, key: string) => void): Promise<void> {
    const round = async () => {
      await this.heartbeat();
      await this.sweep(redraw);
    };
    await round().catch((e: unknown) => this.o.log('adopting owed poll redraws failed', e));
    this.timer = setInterval(
      () => {
        round().catch((e: unknown) => this.o.log('adopting owed poll redraws failed', e));
      },
      Math.max(1000, Math.floor(this.o.adoptAfterMs / 3)),
    );
    this.timer.unref();
  }

  /** Adopts the marks of gone owners (those of each owner by one process only); returns how many it adopted. */
  async sweep(redraw: (tenantId: string, key: string) => void): Promise<number> {
    const now = this.o.now();
    const old = (iso: string | undefined) =>
      !(now - (iso ? Date.parse(iso) : Number.NaN) < this.o.adoptAfterMs);
    const marks = (await this.o.kv.list<Mark>(this.o.namespace)).filter(
      (m) => m.value.owner !== this.o.owner && old(m.value.at),
    );
    if (!marks.length) return 0;
    const beats = new Map((await this.o.kv.list<Stamp>(this.alive)).map((b) => [b.key, b.value.at]));
    const gone = new Set(marks.map((m) => m.value.owner).filter((owner) => old(beats.get(owner))));
    let n = 0;
    for (const owner of gone) {
      if (!(await this.claim(owner, old))) continue;
      for (const m of marks) {
        if (m.value.owner !== owner) continue;
        // The redrawer marks it as this process's own when it takes it in hand (a message it has no record of
        // any more, e.g. a group split since, is not marked again).
        redraw(m.value.tenantId, m.value.key);
        await this.o.kv.delete(this.o.namespace, m.key);
        n++;
      }
      await this.o.kv.delete(this.alive, owner);
    }
    this.stats.adopted += n;
    if (n) await this.prune(now);
    return n;
  }

  /**
   * One live process adopts a gone owner's marks: the first to insert the claim. A claim whose adopter did not
   * finish (it died too) is taken over once it is as old as a gone heartbeat.
   */
  private async claim(owner: string, old: (iso: string | undefined) => boolean): Promise<boolean> {
    const stamp: Stamp = { at: new Date(this.o.now()).toISOString(), by: this.o.owner };
    if (await this.o.kv.putIfAbsent(this.adopted, owner, stamp)) return true;
    const held = await this.o.kv.get<Stamp>(this.adopted, owner);
    if (held && !old(held.at)) return false;
    await this.o.kv.delete(this.adopted, owner);
    return this.o.kv.putIfAbsent(this.adopted, owner, stamp);
  }

  /** Claims are needed only while their owner's marks are adopted: those ten times older go. */
  private async prune(now: number): Promise<void> {
    for (const c of await this.o.kv.list<Stamp>(this.adopted))
      if (now - Date.parse(c.value.at) >= 10 * this.o.adoptAfterMs)
        await this.o.kv.delete(this.adopted, c.key);
  }

  /** Every mark written or deleted (the redrawer has let go of what it drew), then this process's heartbeat goes. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    while (this.chains.size) await Promise.all([...this.chains.values()]);
    await this.o.kv.delete(this.alive, this.o.owner).catch(() => undefined);
  }
}

/** What a redrawer (Slack's PollUpdater, Teams' PollCards) tells the marks. */
export type OwedMarks = Pick<OwedRedraws, 'owe' | 'paid'>;
