import { z } from 'zod';
import {
  type BalanceContent,
  checkEntries,
  districtPrefill,
  functionsOf,
  latestPlans,
  type PlanBuilding,
  type PlanEntry,
  type PlanSide,
  type PlanVersion,
  STATUSES,
  sideBySide,
  withEntry,
} from '../../domain/balance';
import type { Building } from '../../domain/building';
import type { District } from '../../domain/district';
import { DomainError, notSetUp } from '../../domain/errors';
import { registeredBuilding } from '../nudges/buildingChannels';
import type { NudgeMessenger } from '../nudges/nudgePorts';
import { redrawPlanNudges } from '../nudges/planNudges';
import { Access, permits } from '../policy';
import type { Clock, RubricCatalog, Store } from '../ports';
import { type Actor, actorSchema, idString, parseInput } from '../schemas';
import { showDay } from '../when';
import { actionsOf, entriesFromForm } from './planForm';
import { actionsField, type PlanFormView, type PlansOverview } from './planViews';

export interface PlanServiceDeps {
  store: Store;
  rubrics: RubricCatalog;
  clock: Clock;
  /** Redraws a building's plan nudges once it has saved its plan (../nudges/planNudges.ts); none: left as posted. */
  messenger?: NudgeMessenger;
  /** Failed redraws are reported here. */
  onError?: (what: string, e: unknown) => void;
}

type ActorIn = z.output<typeof actorSchema>;

const channelInput = z.object({ channelId: idString });
const planRef = z.object({ districtId: idString, buildingId: idString.nullable().default(null) });
/** A saved form: its values by field (`<id>.status`, `<id>.actions`) and the version it was drawn from. */
const saveInput = planRef.extend({
  version: z.coerce.number().int().min(0).default(0),
  values: z.record(z.string(), z.unknown()),
});
/** One function changed from the chat: `plan 2 strengthen "action" "action"`. */
const entryInput = z.object({
  channelId: idString,
  fn: z.string().trim().min(1).max(60),
  status: z.enum(STATUSES, { error: 'must be in-place, create or strengthen' }),
  actions: z.array(z.string().max(10_000)).max(50).default([]),
});
/**
 * Activity 3's action plans: each building team's Building Action Planning template (from its own channel) and the
 * district team's District Action Planning template, prefilled from what the buildings said. Every save is a new
 * version; earlier ones stay as the history, and a save from a stale form is refused (`conflict`).
 */
export class PlanService {
  private readonly access: Access;
  private readonly redraws = new Set<Promise<void>>();

  constructor(private readonly d: PlanServiceDeps) {
    this.access = new Access({ store: d.store });
  }

  /** The "Maintaining Balance" table of the first rubric that has one. */
  content(): BalanceContent {
    const c = this.d.rubrics.list().find((r) => r.balance)?.balance;
    if (!c)
      throw new DomainError(
        'invalid-state',
        'This server has no "Maintaining Balance" table in its rubrics, so no action plans.',
      );
    return c;
  }

  private async districtOfChannel(tenantId: string, channelId: string): Promise<District> {
    const d = await this.d.store.districts.findByChannel(tenantId, channelId);
    if (!d) throw notSetUp();
    return d;
  }

  /** The building whose team channel this is; in the district's channel, says what to use there instead. */
  private async buildingOfChannel(actor: ActorIn, channelId: string) {
    const owner = await this.d.store.nudges.buildings.channelOwner(actor.tenantId, channelId);
    if (!owner) {
      const district = await this.d.store.districts.findByChannel(actor.tenantId, channelId);
      throw new DomainError(
        'invalid-input',
        district
          ? 'This is the district team\'s channel: "plans" shows every building\'s plan, "plan district" the district\'s. A building team uses "plan" in its own channel.'
          : 'This channel is not a building team\'s channel. A coordinator registers building teams with "building add".',
      );
    }
    return this.buildingById(actor, owner.districtId, owner.buildingId);
  }

  private buildingById(actor: ActorIn, districtId: string, buildingId: string) {
    const deps = { store: this.d.store, buildings: this.d.store.nudges.buildings };
    return registeredBuilding(deps, actor.tenantId, districtId, buildingId);
  }

  private teamOf = (b: Building) => ({ members: b.members, onlyInChannel: b.channelId });

  private async buildingView(actor: ActorIn, district: District, building: Building): Promise<PlanFormView> {
    await this.access.enforce(actor, 'plan.read', district, { building: this.teamOf(building) });
    const s = await this.access.standing(actor, district, { building: this.teamOf(building) });
    const versions = await this.d.store.plans.list(actor.tenantId, district.id, building.id);
    return this.formView('building', district, building, versions, s.buildingMember);
  }

  private formView(
    side: PlanSide,
    district: District,
    building: Building | null,
    versions: PlanVersion[],
    canSave: boolean,
    from?: { buildings: PlanBuilding[]; versions: PlanVersion[] },
  ): PlanFormView {
    const c = this.content();
    const cur = versions[versions.length - 1];
    const rows = from ? districtPrefill(c, from.buildings, latestPlans(from.versions)) : null;
    return {
      side,
      tenantId: district.tenantId,
      districtId: district.id,
      districtName: district.name,
      buildingId: building?.id ?? null,
      buildingName: building?.name ?? null,
      channelId: building?.channelId ?? district.channelId,
      title: side === 'building' ? 'Building Action Planning template' : 'District Action Planning template',
      step: side === 'building' ? c.buildingStep : c.districtStep,
      functions: functionsOf(c, side).map((f, i) => {
        const e = cur?.entries.find((x) => x.functionId === f.id);
        const p = rows?.find((r) => r.fn.id === f.id);
        return {
          n: i + 1,
          ...f,
          status: e?.status ?? null,
          actions: e?.actions ?? [],
          ...(p
            ? {
                buildings: {
                  counts: p.counts,
                  actions: p.actions,
                  buildingFunction: p.buildingFunction?.text ?? null,
                },
              }
            : {}),
        };
      }),
      version: cur?.version ?? 0,
      history: versions.map((v) => ({
        version: v.version,
        submittedAt: v.submittedAt,
        submittedBy: v.submittedBy,
      })),
      savedOn: versions.length ? showDay(versions.at(-1)?.submittedAt as string, district.timezone) : null,
      canSave,
    };
  }

  /** `plan` in a building team's channel: its plan as a form (read-only for a coordinator). */
  async buildingForm(actorIn: Actor, input: unknown): Promise<PlanFormView> {
    const actor = parseInput(actorSchema, actorIn);
    const { channelId } = parseInput(channelInput, input);
    const { district, building } = await this.buildingOfChannel(actor, channelId);
    return this.buildingView(actor, district, building);
  }

  /** A plan's form by ids (a button or card refresh): a building's, or the district's with `buildingId` null. */
  async form(actorIn: Actor, input: unknown): Promise<PlanFormView> {
    const actor = parseInput(actorSchema, actorIn);
    const i = parseInput(planRef, input);
    if (i.buildingId === null) {
      const district = await this.d.store.districts.get(actor.tenantId, i.districtId);
      return this.districtView(actor, district);
    }
    const { district, building } = await this.buildingById(actor, i.districtId, i.buildingId);
    return this.buildingView(actor, district, building);
  }

  /** Saves a form (a new version). Field errors name the form's fields; nothing is written on refusal. */
  async save(actorIn: Actor, input: unknown): Promise<PlanFormView> {
    const actor = parseInput(actorSchema, actorIn);
    const i = parseInput(saveInput, input);
    const side: PlanSide = i.buildingId === null ? 'district' : 'building';
    const target = await this.saveTarget(actor, i.districtId, i.buildingId);
    const entries = entriesFromForm(this.content(), side, i.values);
    return this.write(actor, target, i.version, entries);
  }

  /** `plan <n> <status> "action" …` (building channel) or `plan district <n> …` (district channel): one function. */
  async setEntry(actorIn: Actor, side: PlanSide, input: unknown): Promise<PlanFormView> {
    const actor = parseInput(actorSchema, actorIn);
    const i = parseInput(entryInput, input);
    const target =
      side === 'building'
        ? await this.buildingOfChannel(actor, i.channelId).then((t) =>
            this.saveTarget(actor, t.district.id, t.building.id),
          )
        : await this.districtOfChannel(actor.tenantId, i.channelId).then((d) =>
            this.saveTarget(actor, d.id, null),
          );
    const fns = functionsOf(this.content(), side);
    const n = Number(i.fn);
    const fn = Number.isInteger(n)
      ? fns[n - 1]
      : fns.find((f) => f.id === i.fn.toLowerCase() || f.topic.toLowerCase() === i.fn.toLowerCase());
    if (!fn)
      throw new DomainError(
        'invalid-input',
        `There is no function "${i.fn.slice(0, 60)}": give its number, 1 to ${fns.length}.`,
        {
          fn: 'unknown function',
        },
      );
    const actions = i.actions.map((a) => a.replace(/\s*\r?\n\s*/g, ' '));
    for (const a of actions) actionsOf(actionsField(fn.id), a);
    const versions = await this.d.store.plans.list(
      actor.tenantId,
      target.district.id,
      target.building?.id ?? null,
    );
    const cur = versions[versions.length - 1];
    const entries = withEntry(cur?.entries ?? [], {
      functionId: fn.id,
      status: i.status,
      actions: i.actions,
    });
    return this.write(actor, target, cur?.version ?? 0, entries);
  }

  private async saveTarget(actor: ActorIn, districtId: string, buildingId: string | null) {
    if (buildingId === null) {
      const district = await this.d.store.districts.get(actor.tenantId, districtId);
      await this.access.enforce(actor, 'plan.decide', district);
      return { district: district as District, building: null };
    }
    const { district, building } = await this.buildingById(actor, districtId, buildingId);
    await this.access.enforce(actor, 'plan.submit', district, { building: this.teamOf(building) });
    return { district, building };
  }

  private async write(
    actor: ActorIn,
    target: { district: District; building: Building | null },
    drawnFrom: number,
    entries: PlanEntry[],
  ): Promise<PlanFormView> {
    const { district, building } = target;
    const side: PlanSide = building ? 'building' : 'district';
    const checked = checkEntries(this.content(), side, entries);
    const versions = await this.d.store.plans.list(actor.tenantId, district.id, building?.id ?? null);
    const latest = versions.reduce((m, v) => Math.max(m, v.version), 0);
    const conflict = new DomainError(
      'conflict',
      'Someone else saved this plan at the same moment. Reopen it to see their version, then edit again. Nothing was saved.',
    );
    if (latest !== drawnFrom) throw conflict;
    const v: PlanVersion = {
      tenantId: actor.tenantId,
      districtId: district.id,
      buildingId: building?.id ?? null,
      version: latest + 1,
      entries: checked,
      submittedAt: this.d.clock.now().toISOString(),
      submittedBy: actor.userId,
    };
    if (!(await this.d.store.plans.add(v))) throw conflict;
    if (building) {
      this.redrawNudges(district, building, v, actor.displayName);
      return this.formView('building', district, building, [...versions, v], true);
    }
    return this.districtView(actor, district);
  }

  /**
   * A building's plan nudges redrawn as answered, in the background: the redraws wait on the chat's rate limits,
   * and a Slack modal must be answered within 3 seconds. `redrawsDone` awaits them.
   */
  private redrawNudges(district: District, b: Building, v: PlanVersion, byName: string): void {
    if (!this.d.messenger) return;
    const fail = (e: unknown) => this.d.onError?.(`redrawing the plan nudges of ${b.name}`, e);
    const deps = { nudges: this.d.store.nudges, messenger: this.d.messenger };
    const job = redrawPlanNudges(deps, district, b, v, byName, this.d.clock.now(), fail).then(() => {}, fail);
    this.redraws.add(job);
    void job.finally(() => this.redraws.delete(job));
  }

  /** Resolves once the nudge redraws started so far have finished. */
  async redrawsDone(): Promise<void> {
    await Promise.all([...this.redraws]);
  }

  /** `plan district`: the District Action Planning template, with what the buildings said per function. */
  async districtForm(actorIn: Actor, input: unknown): Promise<PlanFormView> {
    const actor = parseInput(actorSchema, actorIn);
    const { channelId } = parseInput(channelInput, input);
    return this.districtView(actor, await this.districtOfChannel(actor.tenantId, channelId));
  }

  private async districtView(actor: ActorIn, district: District | null): Promise<PlanFormView> {
    const s = await this.access.enforce(actor, 'plan.review', district);
    const d = district as District;
    const { all, buildings } = await this.plansOf(d);
    const mine = all.filter((v) => v.buildingId === null);
    const canSave = permits('plan.decide', s);
    return this.formView('district', d, null, mine, canSave, {
      buildings: buildings.map((b) => ({ id: b.id, name: b.name })),
      versions: all.filter((v) => v.buildingId !== null),
    });
  }

  private async plansOf(district: District) {
    const [all, buildings] = await Promise.all([
      this.d.store.plans.listDistrict(district.tenantId, district.id),
      this.d.store.nudges.buildings.list(district.tenantId, district.id),
    ]);
    return { all, buildings };
  }

  /** `plans` in the district channel: functions × buildings, and which buildings have not submitted. */
  async overview(actorIn: Actor, input: unknown): Promise<PlansOverview> {
    const actor = parseInput(actorSchema, actorIn);
    const { channelId } = parseInput(channelInput, input);
    const district = await this.districtOfChannel(actor.tenantId, channelId);
    await this.access.enforce(actor, 'plan.review', district);
    return this.overviewOf(district);
  }

  /** The same for a district the caller already may read by other means (a signed dashboard link). */
  async overviewOf(district: District): Promise<PlansOverview> {
    const { all, buildings } = await this.plansOf(district);
    const latest = latestPlans(all);
    const buildingLatest = new Map([...latest].filter(([k]) => k !== ''));
    return {
      ...sideBySide(
        this.content(),
        buildings.map((b) => ({ id: b.id, name: b.name })),
        buildingLatest,
      ),
      districtId: district.id,
      districtName: district.name,
      districtPlanVersion: latest.get('')?.version ?? 0,
    };
  }
}
