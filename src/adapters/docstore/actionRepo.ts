import type { ActionRepo, KeyValueRepo, ReminderClaim } from '../../app/ports';
import type { ActionItem } from '../../domain/action';
import { DomainError } from '../../domain/errors';

/**
 * Actions over the key-value repo (stored layout):
 * - `action:<tenant>|<district>` (each part URI-encoded) → the district's actions, keyed by id;
 * - `action.open` → `<tenant>|<district>|<id>` → where an open action is (what the reminder tick walks; written
 *   before the action and deleted after it is marked done, so a crash in between leaves at most an entry that
 *   points to a missing or done action, which `listOpen` skips);
 * - `action.done` → the same key, inserted once (`putIfAbsent`) by whoever marks the action done first;
 * - `action.reminder` → `reminderKey(action, day)` → the claim of that day's reminder (`putIfAbsent`).
 * Times are stored as ISO strings.
 */
export const ACTIONS_NS = (tenantId: string, districtId: string) =>
  `action:${encodeURIComponent(tenantId)}|${encodeURIComponent(districtId)}`;
const OPEN_NS = 'action.open';
const DONE_NS = 'action.done';
const REMINDER_NS = 'action.reminder';

const key = (t: string, d: string, id: string) => `${encodeURIComponent(t)}|${encodeURIComponent(d)}|${id}`;

type Stored = Omit<ActionItem, 'createdAt' | 'doneAt'> & { createdAt: string; doneAt: string | null };
type StoredClaim = Omit<ReminderClaim, 'at'> & { at: string };

const toStored = (a: ActionItem): Stored => ({
  ...a,
  createdAt: a.createdAt.toISOString(),
  doneAt: a.doneAt ? a.doneAt.toISOString() : null,
});
const toAction = (v: Stored): ActionItem => ({
  ...v,
  createdAt: new Date(v.createdAt),
  doneAt: v.doneAt ? new Date(v.doneAt) : null,
});
const toClaim = (v: StoredClaim): ReminderClaim => ({ ...v, at: new Date(v.at) });

export class KvActionRepo implements ActionRepo {
  constructor(private readonly kv: KeyValueRepo) {}

  async create(a: ActionItem) {
    const k = key(a.tenantId, a.districtId, a.id);
    if (await this.kv.get(ACTIONS_NS(a.tenantId, a.districtId), a.id)) {
      throw new DomainError('conflict', 'That action already exists.');
    }
    await this.kv.put(OPEN_NS, k, { tenantId: a.tenantId, districtId: a.districtId, id: a.id });
    const ok = await this.kv.putIfAbsent(ACTIONS_NS(a.tenantId, a.districtId), a.id, toStored(a));
    if (!ok) throw new DomainError('conflict', 'That action already exists.');
  }

  async get(tenantId: string, districtId: string, id: string) {
    const v = await this.kv.get<Stored>(ACTIONS_NS(tenantId, districtId), id);
    return v ? toAction(v) : null;
  }

  async complete(a: ActionItem) {
    const k = key(a.tenantId, a.districtId, a.id);
    const first = await this.kv.putIfAbsent(DONE_NS, k, {
      by: a.doneBy,
      at: (a.doneAt ?? new Date(0)).toISOString(),
    });
    if (!first) return false;
    await this.kv.put(ACTIONS_NS(a.tenantId, a.districtId), a.id, toStored(a));
    await this.kv.delete(OPEN_NS, k);
    return true;
  }

  async listByDistrict(tenantId: string, districtId: string) {
    return (await this.kv.list<Stored>(ACTIONS_NS(tenantId, districtId))).map((r) => toAction(r.value));
  }

  async listOpen() {
    const refs = await this.kv.list<{ tenantId: string; districtId: string; id: string }>(OPEN_NS);
    const found = await Promise.all(
      refs.map((r) => this.get(r.value.tenantId, r.value.districtId, r.value.id)),
    );
    return found.filter((a): a is ActionItem => a !== null && a.status === 'open');
  }

  claimReminder(k: string, claim: ReminderClaim) {
    return this.kv.putIfAbsent(REMINDER_NS, k, { ...claim, at: claim.at.toISOString() });
  }

  async updateReminder(k: string, claim: ReminderClaim) {
    await this.kv.put(REMINDER_NS, k, { ...claim, at: claim.at.toISOString() });
  }

  async getReminder(k: string) {
    const v = await this.kv.get<StoredClaim>(REMINDER_NS, k);
    return v ? toClaim(v) : null;
  }
}
