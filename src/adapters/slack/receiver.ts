import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { App, Receiver, ReceiverEvent, Logger as SlackLibraryLogger } from '@slack/bolt';
import { SocketModeClient } from '@slack/socket-mode';
import type { WebClientOptions } from '@slack/web-api';
import { defaultLogger, type Logger } from '../observability/logger';
import { type Metrics, noMetrics } from '../observability/metrics';
import {
  type GuardedBody,
  type GuardFailure,
  MAX_BODY_BYTES,
  parseSlackBody,
  RecentKeys,
  verifySignature,
} from './guard';
import { RateMeter, TurnSlicer } from './workQueue';

export type ReceiverLogger = Pick<Logger, 'warn' | 'error'>;

export interface SlackReceiverOptions {
  /** Required for HTTP; every request's signature and timestamp are checked against it. */
  signingSecret?: string | undefined;
  /** When set, the receiver connects over Socket Mode instead of (as well as) taking HTTP requests. */
  appToken?: string | undefined;
  socketClientOptions?: WebClientOptions;
  nowMs?: () => number;
  logger?: ReceiverLogger;
  /** What the Socket Mode client logs through (see boltLogger). */
  libraryLogger?: SlackLibraryLogger;
  /** Acknowledgement times are observed here. */
  metrics?: Metrics;
  /** If a listener has not acknowledged after this long, answer 200 anyway (Slack gives up at 3 s). */
  ackTimeoutMs?: number;
  /** Requests per second from which the receiver counts as under a burst (`load.busy()`); default 50. */
  burstPerSecond?: number;
}

const isFailure = (g: GuardedBody | GuardFailure): g is GuardFailure => 'status' in g;

/**
 * What a listener passes to `ack` when it could not do what the click asked (a vote that could not be stored in
 * time): HTTP gets a 503 and Socket Mode no acknowledgement, so Slack shows the clicker that it failed and they
 * can click again. A delivery answered so is not remembered as seen: Slack's retry of it is processed.
 */
export const NOT_RECORDED = '\u0000micip:not-recorded';

/**
 * A Bolt receiver that puts the guard in front of Bolt: size limit, signature and timestamp (±5 min) checks,
 * payload shape checks, and de-duplication of Slack retries. Bad input gets a 4xx and never reaches a listener.
 * `handle` is mounted on the product's HTTP server at /slack/events; Socket Mode is used when an app token is set.
 */
export class SlackReceiver implements Receiver {
  private app: App | null = null;
  private socket: SocketModeClient | null = null;
  private readonly recent = new RecentKeys();
  /**
   * The answers of deliveries still being processed (HTTP), by body: a second delivery of one of them waits for
   * the first one's answer and gets the same, so that a 200 always means done (a click: its vote stored).
   */
  private readonly inFlight = new Map<string, Promise<unknown>>();
  private readonly now: () => number;
  private readonly log: ReceiverLogger;
  private readonly metrics: Metrics;
  /** `lateAcks`: answered by the fallback timer (no listener acked in time); `maxAckMs`: slowest ack after the body. */
  readonly stats = { accepted: 0, refused: 0, duplicates: 0, lateAcks: 0, maxAckMs: 0, notRecorded: 0 };
  /** Incoming requests and events per second: a burst is when acknowledging them should come before other work. */
  readonly load: RateMeter;
  private readonly slicer = new TurnSlicer(4, (e) => this.log.error('Slack request handling failed', e));

  constructor(private readonly o: SlackReceiverOptions) {
    this.now = o.nowMs ?? Date.now;
    this.log = o.logger ?? defaultLogger('slack');
    this.metrics = o.metrics ?? noMetrics;
    // Wall-clock time, not `nowMs` (which tests may freeze for signature timestamps).
    // A burst ends after half a second without one: a moment's gap in the clicks does not release the work held.
    this.load = new RateMeter(o.burstPerSecond ?? 50, Date.now, 250, { quietMs: 500 });
  }

  init(app: App): void {
    this.app = app;
  }

  get socketMode(): boolean {
    return !!this.o.appToken;
  }

  async start(): Promise<void> {
    if (!this.o.appToken || this.socket) return;
    const socket = new SocketModeClient({
      appToken: this.o.appToken,
      ...(this.o.socketClientOptions ? { clientOptions: this.o.socketClientOptions } : {}),
      ...(this.o.libraryLogger ? { logger: this.o.libraryLogger } : {}),
    });
    socket.on('slack_event', async (args: SocketEventArgs) => {
      await this.onSocketEvent(args);
    });
    this.socket = socket;
    await socket.start();
  }

  async stop(): Promise<void> {
    const s = this.socket;
    this.socket = null;
    if (s) await s.disconnect();
  }

  private async onSocketEvent(a: SocketEventArgs): Promise<void> {
    // Counted as in flight until it is acknowledged (or, a vote not recorded, deliberately left unacknowledged).
    const end = this.load.begin();
    try {
      await this.onSocketEnvelope(a, end);
    } catch (e) {
      end();
      throw e;
    }
  }

  private async onSocketEnvelope(a: SocketEventArgs, end: () => void): Promise<void> {
    const ack = async (response?: Record<string, unknown>) => {
      try {
        await a.ack(response);
      } finally {
        end();
      }
    };
    const received = performance.now();
    const raw = JSON.stringify(a.body ?? null);
    const guarded = socketBody(a.type, a.body, raw);
    if (isFailure(guarded)) {
      this.stats.refused++;
      this.log.warn(`Slack socket event refused: ${guarded.error}`);
      await ack();
      return;
    }
    if (guarded.kind !== 'bolt') {
      await ack();
      return;
    }
    if (!this.recent.add(`s:${a.envelope_id ?? hash(raw)}`, this.now())) {
      this.stats.duplicates++;
      await ack();
      return;
    }
    let acked = false;
    const kind = requestKind(guarded.body);
    const observe = () => this.metrics.ack('slack', kind, (performance.now() - received) / 1000);
    const event: ReceiverEvent = {
      body: guarded.body,
      ...(a.retry_num !== undefined ? { retryNum: a.retry_num } : {}),
      ...(a.retry_reason !== undefined ? { retryReason: a.retry_reason } : {}),
      ack: async (response?: unknown) => {
        if (acked) return;
        acked = true;
        if (response === NOT_RECORDED) {
          this.recent.forget(`s:${a.envelope_id ?? hash(raw)}`);
          end();
          return;
        }
        await ack(
          response && typeof response === 'object' ? (response as Record<string, unknown>) : undefined,
        );
        observe();
      },
    };
    this.dispatch(event, async () => {
      if (!acked) {
        acked = true;
        await ack();
        observe();
      }
    });
  }

  /** The HTTP entry point (Node or Express request/response). */
  handle = (req: IncomingMessage, res: ServerResponse): void => {
    // Counted as in flight until the response closes: once its answer is written, or its connection is lost.
    res.once('close', this.load.begin());
    const received = performance.now();
    const chunks: Buffer[] = [];
    let size = 0;
    let tooBig = false;
    req.on('data', (c: Buffer) => {
      if (tooBig) return;
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        tooBig = true;
        this.refuse(res, { status: 413, error: 'request body is too large' });
        return;
      }
      chunks.push(c);
    });
    req.on('error', () => {
      if (!res.headersSent) this.refuse(res, { status: 400, error: 'request body could not be read' });
    });
    req.on('end', () => {
      if (tooBig || res.headersSent) return;
      // A few requests per event-loop turn (see TurnSlicer): keeps a busy server accepting new connections.
      this.slicer.push(() => {
        try {
          this.onBody(req, res, Buffer.concat(chunks), received);
        } catch (e) {
          // A bug of ours, not the caller's input: log it, answer without a stack trace.
          this.log.error('Slack request handling failed', e);
          if (!res.headersSent) this.refuse(res, { status: 400, error: 'request could not be handled' });
        }
      });
    });
  };

  /** `received`: performance.now() when the request arrived (acknowledgement times are counted from it). */
  private onBody(req: IncomingMessage, res: ServerResponse, raw: Buffer, received: number): void {
    if (!this.o.signingSecret) {
      this.refuse(res, { status: 401, error: 'this server has no Slack signing secret configured' });
      return;
    }
    const failed = verifySignature(
      this.o.signingSecret,
      {
        signature: header(req, 'x-slack-signature'),
        timestamp: header(req, 'x-slack-request-timestamp'),
      },
      raw,
      this.now(),
    );
    if (failed) {
      this.refuse(res, failed);
      return;
    }
    const text = raw.toString('utf8');
    const guarded = parseSlackBody(header(req, 'content-type'), text);
    if (isFailure(guarded)) {
      this.refuse(res, guarded);
      return;
    }
    if (guarded.kind === 'ssl_check') {
      res.writeHead(200).end();
      return;
    }
    if (guarded.kind === 'url_verification') {
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ challenge: guarded.challenge }));
      return;
    }
    // Slack retries resend the very same body: a body seen before is acknowledged and not processed again. One
    // still being processed is answered like its first delivery, once that is answered (a 503 if its vote failed).
    const seen = hash(text);
    if (!this.recent.add(seen, this.now())) {
      this.stats.duplicates++;
      const first = this.inFlight.get(seen);
      if (first) void first.then((response) => answer(res, response));
      else res.writeHead(200).end();
      return;
    }
    let answered: (response: unknown) => void = () => {};
    const retryNum = Number(header(req, 'x-slack-retry-num'));
    const retryReason = header(req, 'x-slack-retry-reason');
    let acked = false;
    const kind = requestKind(guarded.body);
    const t0 = this.now();
    const send = (response?: unknown) => {
      if (acked) return;
      acked = true;
      clearTimeout(timer);
      const ms = this.now() - t0;
      if (ms > this.stats.maxAckMs) this.stats.maxAckMs = ms;
      if (response === NOT_RECORDED) {
        this.stats.notRecorded++;
        this.recent.forget(seen);
      }
      this.inFlight.delete(seen);
      answered(response);
      answer(res, response);
      this.metrics.ack('slack', kind, (performance.now() - received) / 1000);
    };
    // Nobody acknowledged in time (a stalled process). A click (interactivity) is answered as not done, so that its
    // member sees it fail instead of being told it worked; events and commands get a 200 as before.
    const timer = setTimeout(() => {
      if (acked) return;
      this.stats.lateAcks++;
      this.log.warn(
        `Slack request not acknowledged in time; answering ${kind === 'interactive' ? 503 : 200}`,
      );
      send(kind === 'interactive' ? NOT_RECORDED : undefined);
    }, this.o.ackTimeoutMs ?? 2500);
    this.inFlight.set(
      seen,
      new Promise((r) => {
        answered = r;
      }),
    );
    this.stats.accepted++;
    this.dispatch(
      {
        body: guarded.body,
        ...(Number.isInteger(retryNum) && retryNum > 0 ? { retryNum } : {}),
        ...(retryReason ? { retryReason } : {}),
        ack: async (response?: unknown) => send(response),
      },
      async () => send(),
    );
  }

  private dispatch(event: ReceiverEvent, fallbackAck: () => Promise<void>): void {
    const app = this.app;
    if (!app) {
      this.log.error('Slack receiver used before init');
      void fallbackAck();
      return;
    }
    app.processEvent(event).then(
      () => fallbackAck(),
      (e: unknown) => {
        this.log.error('Slack listener failed', e);
        return fallbackAck();
      },
    );
  }

  private refuse(res: ServerResponse, f: GuardFailure): void {
    this.stats.refused++;
    if (res.headersSent) return;
    res.writeHead(f.status, { 'content-type': 'application/json', connection: 'close' });
    res.end(JSON.stringify({ error: f.error }));
  }
}

interface SocketEventArgs {
  ack: (response?: Record<string, unknown>) => Promise<void>;
  envelope_id?: string;
  type: string;
  body: unknown;
  retry_num?: number;
  retry_reason?: string;
}

/** What a request is, for the acknowledgement histogram: a slash command, an interaction or an event. */
function requestKind(body: Record<string, unknown>): 'command' | 'interactive' | 'event' {
  if (typeof body.command === 'string') return 'command';
  return body.type === 'event_callback' ? 'event' : 'interactive';
}

/** Writes a listener's acknowledgement: NOT_RECORDED is a 503, anything else a 200 with the response as body. */
function answer(res: ServerResponse, response: unknown): void {
  if (res.headersSent || res.destroyed) return;
  if (response === NOT_RECORDED) {
    res
      .writeHead(503, { 'content-type': 'application/json' })
      .end(JSON.stringify({ error: 'not recorded: try again' }));
  } else if (response === undefined || response === null || response === '') res.writeHead(200).end();
  else if (typeof response === 'string') res.writeHead(200, { 'content-type': 'text/plain' }).end(response);
  else res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(response));
}

const hash = (s: string): string => createHash('sha1').update(s).digest('base64');

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Socket Mode bodies arrive parsed; they get the same shape checks as HTTP ones. */
function socketBody(type: string, body: unknown, raw: string): GuardedBody | GuardFailure {
  if (type === 'interactive') {
    return parseSlackBody('application/x-www-form-urlencoded', `payload=${encodeURIComponent(raw)}`);
  }
  if (type === 'events_api') return parseSlackBody('application/json', raw);
  if (type === 'slash_commands' && body && typeof body === 'object' && !Array.isArray(body)) {
    const form = new URLSearchParams();
    for (const [k, v] of Object.entries(body)) if (typeof v === 'string') form.append(k, v);
    return parseSlackBody('application/x-www-form-urlencoded', form.toString());
  }
  return { status: 400, error: `unsupported Socket Mode event type ${type}` };
}
