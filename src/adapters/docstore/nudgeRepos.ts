import type {
  BuildingRepo,
  NudgeClaimRepo,
  NudgeRepos,
  RoundClaimRepo,
  ScheduleRepo,
  SnoozeRepo,
  SubmissionRepo,
} from '../../app/nudges/nudgePorts';
import type { KeyValueRepo } from '../../app/ports';
import type { Building, BuildingChannel } from '../../domain/building';
import type { DigestClaim, EscalationClaim, NudgeClaim, Snooze } from '../../domain/nudge';
import type { Schedule } from '../../domain/nudgeSchedule';
import type { SubmissionVersion } from '../../domain/submission';

/**
 * Building teams, submissions, schedules and nudge bookkeeping as records in the Store's key-value repo (so
 * MongoDB and the embedded store both hold them, with no collections of their own). The namespaces and keys
 * below are stored data: existing deployments hold records under exactly these, so they must not change.
 * Exactly-once comes from `putIfAbsent`: the store refuses a second record with the same key (unique `_id`).
 *
 *   nudge.buildings|<t>|<d>          <buildingId>                     Building
 *   nudge.building-channels|<t>      <channelId>                      BuildingChannel
 *   nudge.schedules                  <t>|<d>|<scheduleId>             Schedule
 *   nudge.submissions|<t>|<d>|<p>    <buildingId>|<version, 6 digits> SubmissionVersion
 *   nudge.claims|<t>|<d>|<p>         <buildingId>|<scheduleId>|<occurrence>  NudgeClaim
 *   nudge.once|digest                <scheduleId>|<occurrence>        DigestClaim
 *   nudge.once|escalation            <t>|<d>|<p>|<buildingId>         EscalationClaim
 *   nudge.snoozes                    <t>|<d>|<buildingId>             Snooze
 *
 * Each <part> is URI-encoded (encodeURIComponent) where shown; building ids and channel ids as keys of their own
 * namespace, and occurrences, are stored as they are.
 */

const seg = (s: string) => encodeURIComponent(s);
const ns = (...parts: string[]) => parts.map(seg).join('|');
const values = async <T extends object>(kv: KeyValueRepo, namespace: string): Promise<T[]> =>
  (await kv.list<T>(namespace)).map((e) => e.value);

export class KvBuildingRepo implements BuildingRepo {
  constructor(private readonly kv: KeyValueRepo) {}
  private space = (t: string, d: string) => ns('nudge.buildings', t, d);
  private channels = (t: string) => ns('nudge.building-channels', t);

  get(t: string, d: string, id: string) {
    return this.kv.get<Building>(this.space(t, d), id);
  }
  list(t: string, d: string) {
    return values<Building>(this.kv, this.space(t, d));
  }
  put(b: Building) {
    return this.kv.put(this.space(b.tenantId, b.districtId), b.id, b);
  }
  remove(b: Building) {
    return this.kv.delete(this.space(b.tenantId, b.districtId), b.id);
  }
  claimChannel(t: string, channelId: string, owner: BuildingChannel) {
    return this.kv.putIfAbsent(this.channels(t), channelId, owner);
  }
  channelOwner(t: string, channelId: string) {
    return this.kv.get<BuildingChannel>(this.channels(t), channelId);
  }
  releaseChannel(t: string, channelId: string) {
    return this.kv.delete(this.channels(t), channelId);
  }
}

const SCHEDULES = 'nudge.schedules';

export class KvScheduleRepo implements ScheduleRepo {
  constructor(private readonly kv: KeyValueRepo) {}
  private key = (s: Pick<Schedule, 'tenantId' | 'districtId' | 'id'>) => ns(s.tenantId, s.districtId, s.id);

  get(t: string, d: string, id: string) {
    return this.kv.get<Schedule>(SCHEDULES, this.key({ tenantId: t, districtId: d, id }));
  }
  async list(t: string, d: string) {
    return (await this.listAll()).filter((s) => s.tenantId === t && s.districtId === d);
  }
  listAll() {
    return values<Schedule>(this.kv, SCHEDULES);
  }
  put(s: Schedule) {
    return this.kv.put(SCHEDULES, this.key(s), s);
  }
  remove(s: Schedule) {
    return this.kv.delete(SCHEDULES, this.key(s));
  }
}

export class KvSubmissionRepo implements SubmissionRepo {
  constructor(private readonly kv: KeyValueRepo) {}
  private space = (t: string, d: string, p: string) => ns('nudge.submissions', t, d, p);

  add(v: SubmissionVersion) {
    return this.kv.putIfAbsent(
      this.space(v.tenantId, v.districtId, v.periodId),
      `${seg(v.buildingId)}|${String(v.version).padStart(6, '0')}`,
      v,
    );
  }
  list(t: string, d: string, periodId: string) {
    return values<SubmissionVersion>(this.kv, this.space(t, d, periodId));
  }
}

export class KvNudgeClaimRepo implements NudgeClaimRepo {
  constructor(private readonly kv: KeyValueRepo) {}
  private space = (t: string, d: string, p: string) => ns('nudge.claims', t, d, p);
  private key = (c: NudgeClaim) => `${seg(c.buildingId)}|${seg(c.scheduleId)}|${c.occurrence}`;

  claim(t: string, d: string, periodId: string, c: NudgeClaim) {
    return this.kv.putIfAbsent(this.space(t, d, periodId), this.key(c), c);
  }
  update(t: string, d: string, periodId: string, c: NudgeClaim) {
    return this.kv.put(this.space(t, d, periodId), this.key(c), c);
  }
  list(t: string, d: string, periodId: string) {
    return values<NudgeClaim>(this.kv, this.space(t, d, periodId));
  }
}

const DIGESTS = ns('nudge.once', 'digest');
const ESCALATIONS = ns('nudge.once', 'escalation');

export class KvRoundClaimRepo implements RoundClaimRepo {
  constructor(private readonly kv: KeyValueRepo) {}
  private digestKey = (scheduleId: string, occurrence: string) => `${seg(scheduleId)}|${occurrence}`;

  claimDigest(scheduleId: string, occurrence: string, claim: DigestClaim) {
    return this.kv.putIfAbsent(DIGESTS, this.digestKey(scheduleId, occurrence), claim);
  }
  async digestClaimed(scheduleId: string, occurrence: string) {
    return (await this.kv.get(DIGESTS, this.digestKey(scheduleId, occurrence))) !== null;
  }
  claimEscalation(t: string, d: string, periodId: string, buildingId: string, claim: EscalationClaim) {
    return this.kv.putIfAbsent(ESCALATIONS, ns(t, d, periodId, buildingId), claim);
  }
}

const SNOOZES = 'nudge.snoozes';

export class KvSnoozeRepo implements SnoozeRepo {
  constructor(private readonly kv: KeyValueRepo) {}

  get(t: string, d: string, b: string) {
    return this.kv.get<Snooze>(SNOOZES, ns(t, d, b));
  }
  listAll() {
    return values<Snooze>(this.kv, SNOOZES);
  }
  put(s: Snooze) {
    return this.kv.put(SNOOZES, ns(s.tenantId, s.districtId, s.buildingId), s);
  }
  remove(s: Snooze) {
    return this.kv.delete(SNOOZES, ns(s.tenantId, s.districtId, s.buildingId));
  }
}

/** The nudge repositories over one key-value repo (what each Store exposes as `nudges`). */
export function kvNudgeRepos(kv: KeyValueRepo): NudgeRepos {
  return {
    buildings: new KvBuildingRepo(kv),
    schedules: new KvScheduleRepo(kv),
    submissions: new KvSubmissionRepo(kv),
    claims: new KvNudgeClaimRepo(kv),
    rounds: new KvRoundClaimRepo(kv),
    snoozes: new KvSnoozeRepo(kv),
  };
}
