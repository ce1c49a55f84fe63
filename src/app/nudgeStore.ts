import type { NudgePolicy, PeriodKind } from '../domain/schedule';
import type { KeyValueRepo } from './ports';

/**
 * Building teams, monitoring-data submissions, nudge schedules and nudge bookkeeping, kept as records in the
 * Store's key-value repo (so both MongoDB and the embedded store hold them, with no new collections). Exactly-once
 * comes from `putIfAbsent`: the store refuses a second record with the same key (unique `_id`).
 * Dates are ISO strings.
 */

export interface Building {
  id: string;
  tenantId: string;
  districtId: string;
  name: string;
  channelId: string;
  members: string[];
  createdAt: string;
  createdBy: string;
}

export interface Schedule {
  id: string;
  tenantId: string;
  districtId: string;
  expression: string;
  cron: string;
  description: string;
  timezone: string;
  /** null = every building of the district. */
  buildingIds: string[] | null;
  startsAt: string;
  endsAt: string | null;
  periodKind: PeriodKind;
  policy: NudgePolicy;
  escalateAfter: number;
  createdAt: string;
  createdBy: string;
}

export interface SubmissionData {
  strategy: string;
  implementationMeasure: string;
  fidelityPercent: number;
  impactMeasure: string;
  impactValue: number;
  interimTarget: number;
  meaning: string;
  recommendations: string;
}

/** One version of a building's submission for a period; every edit adds a version (the history). */
export interface SubmissionVersion {
  tenantId: string;
  districtId: string;
  buildingId: string;
  periodId: string;
  version: number;
  data: SubmissionData;
  submittedAt: string;
  submittedBy: string;
}

export interface NudgeClaim {
  buildingId: string;
  scheduleId: string;
  /** Nominal occurrence (ISO) or `reminder:<until>` for a snooze reminder. */
  occurrence: string;
  claimedAt: string;
  instance: string;
  status: 'claimed' | 'sent' | 'failed';
  error?: string;
}

export interface Snooze {
  tenantId: string;
  districtId: string;
  buildingId: string;
  scheduleId: string;
  periodId: string;
  until: string;
  setBy: string;
  setAt: string;
}

const seg = (s: string) => encodeURIComponent(s);
const ns = (...parts: string[]) => parts.map(seg).join('|');

export class NudgeStore {
  constructor(readonly kv: KeyValueRepo) {}

  // ----- buildings -----
  private bNs = (t: string, d: string) => ns('nudge.buildings', t, d);
  private chNs = (t: string) => ns('nudge.building-channels', t);

  getBuilding(t: string, d: string, id: string) {
    return this.kv.get<Building>(this.bNs(t, d), id);
  }
  async listBuildings(t: string, d: string): Promise<Building[]> {
    return (await this.kv.list<Building>(this.bNs(t, d))).map((e) => e.value);
  }
  /** Claims the channel for this building; false when another building already uses it. */
  claimChannel(t: string, channelId: string, ref: { districtId: string; buildingId: string }) {
    return this.kv.putIfAbsent(this.chNs(t), channelId, ref);
  }
  channelOwner(t: string, channelId: string) {
    return this.kv.get<{ districtId: string; buildingId: string }>(this.chNs(t), channelId);
  }
  releaseChannel(t: string, channelId: string) {
    return this.kv.delete(this.chNs(t), channelId);
  }
  putBuilding(b: Building) {
    return this.kv.put(this.bNs(b.tenantId, b.districtId), b.id, b);
  }
  deleteBuilding(b: Building) {
    return this.kv.delete(this.bNs(b.tenantId, b.districtId), b.id);
  }

  // ----- schedules -----
  private sKey = (s: Pick<Schedule, 'tenantId' | 'districtId' | 'id'>) => ns(s.tenantId, s.districtId, s.id);
  putSchedule(s: Schedule) {
    return this.kv.put('nudge.schedules', this.sKey(s), s);
  }
  getSchedule(t: string, d: string, id: string) {
    return this.kv.get<Schedule>('nudge.schedules', ns(t, d, id));
  }
  deleteSchedule(s: Schedule) {
    return this.kv.delete('nudge.schedules', this.sKey(s));
  }
  async listAllSchedules(): Promise<Schedule[]> {
    return (await this.kv.list<Schedule>('nudge.schedules')).map((e) => e.value);
  }
  async listSchedules(t: string, d: string): Promise<Schedule[]> {
    return (await this.listAllSchedules()).filter((s) => s.tenantId === t && s.districtId === d);
  }

  // ----- submissions (versioned) -----
  private subNs = (t: string, d: string, p: string) => ns('nudge.submissions', t, d, p);
  /** Adds version `v.version`; false when that version already exists (a concurrent edit won). */
  addSubmissionVersion(v: SubmissionVersion) {
    return this.kv.putIfAbsent(
      this.subNs(v.tenantId, v.districtId, v.periodId),
      `${seg(v.buildingId)}|${String(v.version).padStart(6, '0')}`,
      v,
    );
  }
  /** Every version of every building's submission for a period. */
  async listSubmissionVersions(t: string, d: string, periodId: string): Promise<SubmissionVersion[]> {
    return (await this.kv.list<SubmissionVersion>(this.subNs(t, d, periodId))).map((e) => e.value);
  }
  /** The latest version per building. */
  async currentSubmissions(t: string, d: string, periodId: string): Promise<Map<string, SubmissionVersion>> {
    const out = new Map<string, SubmissionVersion>();
    for (const v of await this.listSubmissionVersions(t, d, periodId)) {
      const cur = out.get(v.buildingId);
      if (!cur || v.version > cur.version) out.set(v.buildingId, v);
    }
    return out;
  }

  // ----- nudge claims (exactly once) -----
  private claimNs = (t: string, d: string, p: string) => ns('nudge.claims', t, d, p);
  /** True when this caller now owns sending this nudge; false when another instance (or an earlier tick) does. */
  claimNudge(t: string, d: string, periodId: string, c: NudgeClaim) {
    return this.kv.putIfAbsent(
      this.claimNs(t, d, periodId),
      `${seg(c.buildingId)}|${seg(c.scheduleId)}|${c.occurrence}`,
      c,
    );
  }
  updateClaim(t: string, d: string, periodId: string, c: NudgeClaim) {
    return this.kv.put(
      this.claimNs(t, d, periodId),
      `${seg(c.buildingId)}|${seg(c.scheduleId)}|${c.occurrence}`,
      c,
    );
  }
  async listClaims(t: string, d: string, periodId: string): Promise<NudgeClaim[]> {
    return (await this.kv.list<NudgeClaim>(this.claimNs(t, d, periodId))).map((e) => e.value);
  }
  /** Claims a once-per-key job (a round's digest, an escalation of one building in one period). */
  claimOnce(kind: string, key: string, value: object) {
    return this.kv.putIfAbsent(ns('nudge.once', kind), key, value);
  }
  async hasOnce(kind: string, key: string) {
    return (await this.kv.get(ns('nudge.once', kind), key)) !== null;
  }

  // ----- snoozes -----
  private snKey = (t: string, d: string, b: string) => ns(t, d, b);
  putSnooze(s: Snooze) {
    return this.kv.put('nudge.snoozes', this.snKey(s.tenantId, s.districtId, s.buildingId), s);
  }
  getSnooze(t: string, d: string, b: string) {
    return this.kv.get<Snooze>('nudge.snoozes', this.snKey(t, d, b));
  }
  deleteSnooze(s: Snooze) {
    return this.kv.delete('nudge.snoozes', this.snKey(s.tenantId, s.districtId, s.buildingId));
  }
  async listSnoozes(): Promise<Snooze[]> {
    return (await this.kv.list<Snooze>('nudge.snoozes')).map((e) => e.value);
  }
}
