import { z } from 'zod';
import { type Building, isChannelId } from '../../domain/building';
import type { District } from '../../domain/district';
import { DomainError, notSetUp } from '../../domain/errors';
import { type Period, type PeriodKind, periodAt, periodById } from '../../domain/schedule';
import { currentByBuilding, type SubmissionData, type SubmissionVersion } from '../../domain/submission';
import { Access } from '../policy';
import type { Clock, IdGenerator, NoticeMessenger, Store } from '../ports';
import { type Actor, actorSchema, idString, parseInput, text } from '../schemas';
import { coordinatedDistrict, createBuilding, moveBuilding, registeredBuilding } from './buildingChannels';
import type { NudgeMessenger, NudgeRepos } from './nudgePorts';
import { redrawNudges } from './nudgeSend';
import {
  type BuildingView,
  type NudgeOutcome,
  SUBMISSION_FIELDS,
  type SubmissionField,
  type SubmissionFormView,
} from './nudgeViews';
import { submissionSchema } from './submissionSchema';

export interface BuildingServiceDeps {
  store: Store;
  nudges: NudgeRepos;
  clock: Clock;
  ids: IdGenerator;
  /** Posts the welcome in a newly registered building channel (whether it arrives marks the building reachable). */
  notices?: NoticeMessenger;
  /** Redraws posted nudges once the team has submitted or snoozed (and sends `nudge now`). */
  messenger?: NudgeMessenger;
  /** Redraws that failed are reported here. */
  onError?: (what: string, e: unknown) => void;
}

const registerInput = z.object({
  channelId: idString,
  name: text(120),
  buildingChannelId: idString,
  members: z.array(idString).max(500, 'at most 500 members').default([]),
});
/** `building here "Oak" ["District"] [@member …]`, typed in the building's own channel (`channelId`). */
const hereInput = z.object({
  channelId: idString,
  name: text(120),
  district: z.string().trim().min(1).max(200).optional(),
  members: z.array(idString).max(500, 'at most 500 members').default([]),
});
/** `building move "Oak" ["District"]`, typed in the building's new channel (`channelId`). */
const moveInput = z.object({
  channelId: idString,
  building: z.string().trim().min(1, 'name a building').max(200),
  district: z.string().trim().min(1).max(200).optional(),
});
const refInput = z.object({
  channelId: idString,
  building: z.string().trim().min(1, 'name a building').max(200),
});
const renameInput = refInput.extend({ name: text(120) });
const membersInput = refInput.extend({ members: z.array(idString).max(500, 'at most 500 members') });

const submitInput = z.object({
  districtId: idString,
  buildingId: idString,
  periodId: z.string().max(20),
  /** The version the form was drawn from; a different stored version means someone else edited meanwhile. */
  version: z.coerce.number().int().min(0).default(0),
  values: z.record(z.string(), z.unknown()),
});

const formInput = z.object({
  districtId: idString,
  buildingId: idString,
  periodId: z.string().max(20).optional(),
});

export const toBuildingView = (b: Building): BuildingView => ({
  buildingId: b.id,
  name: b.name,
  channelId: b.channelId,
  members: b.members,
  unreachable: b.unreachable?.reason ?? null,
});

/** Building teams (registered by a coordinator) and their monitoring-data submissions. */
export class BuildingService {
  private readonly access: Access;
  private readonly redraws = new Set<Promise<void>>();

  constructor(private readonly d: BuildingServiceDeps) {
    this.access = new Access({ store: d.store });
  }

  private async districtOf(tenantId: string, channelId: string): Promise<District> {
    const d = await this.d.store.districts.findByChannel(tenantId, channelId);
    if (!d) throw notSetUp();
    return d;
  }

  private async coordinatorDistrict(actor: z.output<typeof actorSchema>, channelId: string) {
    const district = await this.districtOf(actor.tenantId, channelId);
    await this.access.enforce(actor, 'building.manage', district);
    return district;
  }

  /** Finds a building by id, exact name (case-insensitive) or channel (`#C123` or its id). */
  async findBuilding(tenantId: string, districtId: string, ref: string): Promise<Building> {
    const all = await this.d.nudges.buildings.list(tenantId, districtId);
    const channel = /^#([A-Za-z0-9_:.@-]+)$/.exec(ref)?.[1];
    const lower = ref.toLowerCase();
    const found =
      all.find((b) => b.id === ref) ??
      all.find((b) => b.channelId === (channel ?? ref)) ??
      all.find((b) => b.name.toLowerCase() === lower);
    if (!found)
      throw new DomainError(
        'invalid-input',
        `There is no building "${ref.slice(0, 60)}" in this district. See the list with \`building list\`.`,
        { building: 'unknown building' },
      );
    return found;
  }

  /** `building add "Oak" #oak-team`: registered from the district channel, naming the building's channel. */
  async register(actorIn: Actor, input: unknown): Promise<BuildingView> {
    const actor = parseInput(actorSchema, actorIn);
    const i = parseInput(registerInput, input);
    const district = await this.coordinatorDistrict(actor, i.channelId);
    if (i.buildingChannelId === district.channelId)
      throw new DomainError(
        'invalid-input',
        "A building team needs its own channel, not the district team's.",
        {
          buildingChannelId: 'same as the district channel',
        },
      );
    if (!isChannelId(actor.tenantId, i.buildingChannelId))
      throw new DomainError(
        'invalid-input',
        `"#${i.buildingChannelId.slice(0, 60)}" is not a channel the app can reach (in Teams a typed #name is only text). Run \`building here "${i.name}"\` in the building team's own channel instead.`,
        { buildingChannelId: 'not a channel reference' },
      );
    return toBuildingView(
      await createBuilding(this.d, actor, district, i.name, i.buildingChannelId, i.members),
    );
  }

  /** `building here "Oak"`: typed by a coordinator in the building team's own channel, which becomes its channel. */
  async registerHere(actorIn: Actor, input: unknown): Promise<BuildingView> {
    const actor = parseInput(actorSchema, actorIn);
    const i = parseInput(hereInput, input);
    const district = await coordinatedDistrict(this.d.store, this.access, actor, i.channelId, i.district);
    return toBuildingView(await createBuilding(this.d, actor, district, i.name, i.channelId, i.members));
  }

  /**
   * `building move "Oak"`: typed by a coordinator in the building's new channel (e.g. one registered with a
   * channel the app never reached). Keeps the building's id, members, submissions and nudge counts; frees the old
   * channel; posts the welcome in the new one. Run in the building's current channel, it only re-checks that the
   * app can post there.
   */
  async move(actorIn: Actor, input: unknown): Promise<BuildingView> {
    const actor = parseInput(actorSchema, actorIn);
    const i = parseInput(moveInput, input);
    const district = await coordinatedDistrict(this.d.store, this.access, actor, i.channelId, i.district);
    const b = await this.findBuilding(actor.tenantId, district.id, i.building);
    return toBuildingView(await moveBuilding(this.d, district, b, i.channelId));
  }

  async list(actorIn: Actor, channelId: string): Promise<BuildingView[]> {
    const actor = parseInput(actorSchema, actorIn);
    const district = await this.districtOf(actor.tenantId, parseInput(idString, channelId));
    await this.access.enforce(actor, 'district.read', district);
    const all = await this.d.nudges.buildings.list(actor.tenantId, district.id);
    return all.sort((a, b) => a.name.localeCompare(b.name)).map(toBuildingView);
  }

  async rename(actorIn: Actor, input: unknown): Promise<BuildingView> {
    const actor = parseInput(actorSchema, actorIn);
    const i = parseInput(renameInput, input);
    const district = await this.coordinatorDistrict(actor, i.channelId);
    const b = await this.findBuilding(actor.tenantId, district.id, i.building);
    const others = await this.d.nudges.buildings.list(actor.tenantId, district.id);
    if (others.some((o) => o.id !== b.id && o.name.toLowerCase() === i.name.toLowerCase()))
      throw new DomainError('conflict', `A building named "${i.name}" is already registered.`, {
        name: 'already registered',
      });
    const renamed = { ...b, name: i.name };
    await this.d.nudges.buildings.put(renamed);
    return toBuildingView(renamed);
  }

  /** Replaces a building team's member list (an empty list lets anyone in its channel submit). */
  async setMembers(actorIn: Actor, input: unknown): Promise<BuildingView> {
    const actor = parseInput(actorSchema, actorIn);
    const i = parseInput(membersInput, input);
    const district = await this.coordinatorDistrict(actor, i.channelId);
    const b = await this.findBuilding(actor.tenantId, district.id, i.building);
    const updated = { ...b, members: Array.from(new Set(i.members)) };
    await this.d.nudges.buildings.put(updated);
    return toBuildingView(updated);
  }

  async remove(actorIn: Actor, input: unknown): Promise<BuildingView> {
    const actor = parseInput(actorSchema, actorIn);
    const i = parseInput(refInput, input);
    const district = await this.coordinatorDistrict(actor, i.channelId);
    const b = await this.findBuilding(actor.tenantId, district.id, i.building);
    await this.d.nudges.buildings.remove(b);
    await this.d.nudges.buildings.releaseChannel(actor.tenantId, b.channelId);
    return toBuildingView(b);
  }

  // ---------- submissions ----------

  private buildingFor(actor: z.output<typeof actorSchema>, districtId: string, buildingId: string) {
    return registeredBuilding(
      { store: this.d.store, buildings: this.d.nudges.buildings },
      actor.tenantId,
      districtId,
      buildingId,
    );
  }

  /** Refuses (`not-member`) anyone who is neither on the building team nor a district coordinator. */
  async assertTeamMember(actorIn: Actor, districtId: string, buildingId: string): Promise<void> {
    const actor = parseInput(actorSchema, actorIn);
    const { district, building } = await this.buildingFor(actor, districtId, buildingId);
    await this.assertCanSubmit(actor, district, building);
  }

  /** Building-team members (all, while the team lists nobody) or a district coordinator; else "not registered". */
  private async assertCanSubmit(actor: z.output<typeof actorSchema>, district: District, building: Building) {
    await this.access.enforce(actor, 'building.submit', district, { building });
  }

  private formView(
    district: District,
    building: Building,
    period: Period,
    versions: SubmissionVersion[],
    now: Date,
  ): SubmissionFormView {
    const mine = versions.filter((v) => v.buildingId === building.id).sort((a, b) => a.version - b.version);
    const cur = mine[mine.length - 1];
    const values: SubmissionFormView['values'] = {};
    if (cur) for (const f of SUBMISSION_FIELDS) values[f] = String(cur.data[f]);
    return {
      tenantId: district.tenantId,
      districtId: district.id,
      buildingId: building.id,
      buildingName: building.name,
      districtName: district.name,
      periodId: period.id,
      periodLabel: period.label,
      values,
      errors: {},
      version: cur?.version ?? 0,
      editable: now < period.endsAt,
      closesAt: period.endsAt.toISOString(),
      timezone: district.timezone,
      history: mine.map((v) => ({
        version: v.version,
        submittedAt: v.submittedAt,
        submittedBy: v.submittedBy,
      })),
    };
  }

  /** The district's period length: that of its first schedule (monthly when it has none). */
  private async periodKind(tenantId: string, districtId: string): Promise<PeriodKind> {
    // The monitoring-data schedules' (a plan schedule's periods only group its nudges: ./planNudges.ts).
    const schedules = (await this.d.nudges.schedules.list(tenantId, districtId)).filter(
      (s) => s.subject !== 'plan',
    );
    return schedules.sort((a, b) => a.createdAt.localeCompare(b.createdAt))[0]?.periodKind ?? 'month';
  }

  /** The form for a building and period (default: the current month in the district's time zone). */
  async form(actorIn: Actor, input: unknown): Promise<SubmissionFormView> {
    const actor = parseInput(actorSchema, actorIn);
    const i = parseInput(formInput, input);
    const { district, building } = await this.buildingFor(actor, i.districtId, i.buildingId);
    // Another building's form, with its data, reads like a building that does not exist.
    await this.access.enforce(actor, 'building.read', district, { building });
    const now = this.d.clock.now();
    const period = i.periodId
      ? periodById(i.periodId, district.timezone)
      : periodAt(now, district.timezone, await this.periodKind(actor.tenantId, district.id));
    const versions = await this.d.nudges.submissions.list(actor.tenantId, district.id, period.id);
    return this.formView(district, building, period, versions, now);
  }

  /**
   * Saves a submission (or an edit: a new version; earlier versions stay as history). Refused with field-level
   * errors when the form is invalid, and refused once the period has closed. Nothing is written on refusal.
   */
  async submit(actorIn: Actor, input: unknown): Promise<SubmissionFormView> {
    const actor = parseInput(actorSchema, actorIn);
    const i = parseInput(submitInput, input);
    const { district, building } = await this.buildingFor(actor, i.districtId, i.buildingId);
    await this.assertCanSubmit(actor, district, building);
    const period = periodById(i.periodId, district.timezone);
    const now = this.d.clock.now();
    if (now >= period.endsAt)
      throw new DomainError(
        'invalid-state',
        `The ${period.label} period has closed, so its submission can no longer be changed.`,
      );
    if (now < period.startsAt)
      throw new DomainError('invalid-state', `The ${period.label} period has not started yet.`);
    const data: SubmissionData = parseInput(submissionSchema, i.values);
    const versions = await this.d.nudges.submissions.list(actor.tenantId, district.id, period.id);
    const latest = versions
      .filter((v) => v.buildingId === building.id)
      .reduce((m, v) => Math.max(m, v.version), 0);
    const conflict = new DomainError(
      'conflict',
      'Someone else on your team saved this form at the same moment. Reopen it to see their version, then edit again.',
    );
    if (latest !== i.version) throw conflict;
    const v: SubmissionVersion = {
      tenantId: actor.tenantId,
      districtId: district.id,
      buildingId: building.id,
      periodId: period.id,
      version: latest + 1,
      data,
      submittedAt: now.toISOString(),
      submittedBy: actor.userId,
    };
    if (!(await this.d.nudges.submissions.add(v))) throw conflict;
    this.redrawNudges(district, building, period, {
      kind: 'submitted',
      version: v.version,
      at: v.submittedAt,
      by: actor.userId,
      byName: actor.displayName,
    });
    return this.formView(district, building, period, [...versions, v], now);
  }

  /**
   * Redraws the building's posted nudges of `period` with `outcome`, in the background: a save or snooze does not
   * wait on the chat's rate limits (a Slack modal must be answered within 3 seconds). `redrawsDone` awaits them.
   */
  redrawNudges(district: District, b: Building, period: Period, outcome: NudgeOutcome): void {
    const fail = (e: unknown) => this.d.onError?.(`redrawing the nudges of ${b.name}`, e);
    const job = redrawNudges(this.d, district, b, period, outcome, fail).then(() => {}, fail);
    this.redraws.add(job);
    void job.finally(() => this.redraws.delete(job));
  }

  /** Resolves once the redraws started so far have finished. */
  async redrawsDone(): Promise<void> {
    await Promise.all([...this.redraws]);
  }

  /** Who has and has not submitted for a period (coordinator view for the `submissions` command). */
  async status(actorIn: Actor, channelId: string, periodId?: string) {
    const actor = parseInput(actorSchema, actorIn);
    const district = await this.districtOf(actor.tenantId, parseInput(idString, channelId));
    await this.access.enforce(actor, 'district.read', district);
    return this.statusOf(district, periodId);
  }

  /**
   * The same status for a district the caller already holds access to by other means: a signed dashboard link,
   * issued by the `dashboard` command to someone the policy let read the district.
   */
  async statusOf(district: District, periodId?: string) {
    const actor = { tenantId: district.tenantId };
    const period = periodId
      ? periodById(periodId, district.timezone)
      : periodAt(this.d.clock.now(), district.timezone, await this.periodKind(actor.tenantId, district.id));
    const current = currentByBuilding(
      await this.d.nudges.submissions.list(actor.tenantId, district.id, period.id),
    );
    const buildings = (await this.d.nudges.buildings.list(actor.tenantId, district.id)).sort((a, b) =>
      a.name.localeCompare(b.name),
    );
    return {
      period,
      /** The district's time zone: the period's end and the submissions' times are shown in it. */
      timezone: district.timezone,
      submitted: buildings
        .filter((b) => current.has(b.id))
        .map((b) => ({ ...toBuildingView(b), submission: current.get(b.id) })),
      missing: buildings.filter((b) => !current.has(b.id)).map(toBuildingView),
    };
  }
}

export type { SubmissionField };
export { submissionSchema };
