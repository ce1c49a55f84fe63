import { cronParserEngine } from '../../src/adapters/scheduler/cronEngine';
import { BuildingService } from '../../src/app/nudges/buildingService';
import type { Destination, NudgeMessenger } from '../../src/app/nudges/nudgePorts';
import { NudgeRunner } from '../../src/app/nudges/nudgeRunner';
import type { DigestView, EscalationView, NudgeView } from '../../src/app/nudges/nudgeViews';
import { ScheduleService } from '../../src/app/nudges/scheduleService';
import type { Store } from '../../src/app/ports';
import { coordinator, counterIds, makeService, TestClock } from '../support/fixtures';

export type Sent =
  | { kind: 'nudge'; to: Destination; view: NudgeView }
  | { kind: 'digest'; to: Destination; view: DigestView }
  | { kind: 'escalation'; to: Destination; view: EscalationView };

/** Records every message; `failFor` makes sends to those channels reject. */
export class RecordingMessenger implements NudgeMessenger {
  sent: Sent[] = [];
  failFor = new Set<string>();
  async sendNudge(to: Destination, view: NudgeView): Promise<{ messageId: string } | undefined> {
    await new Promise((r) => setImmediate(r));
    if (this.failFor.has(to.channelId)) throw new Error(`channel ${to.channelId} is gone`);
    this.sent.push({ kind: 'nudge', to, view });
    return undefined;
  }
  async sendDigest(to: Destination, view: DigestView) {
    this.sent.push({ kind: 'digest', to, view });
  }
  async sendEscalation(to: Destination, view: EscalationView) {
    this.sent.push({ kind: 'escalation', to, view });
  }
  nudges() {
    return this.sent.filter((s): s is Extract<Sent, { kind: 'nudge' }> => s.kind === 'nudge');
  }
  digests() {
    return this.sent.filter((s): s is Extract<Sent, { kind: 'digest' }> => s.kind === 'digest');
  }
  escalations() {
    return this.sent.filter((s): s is Extract<Sent, { kind: 'escalation' }> => s.kind === 'escalation');
  }
}

export function makeNudges(
  store: Store,
  clock: TestClock,
  messenger = new RecordingMessenger(),
  instanceId = 'i1',
) {
  const reviews = makeService(store, clock);
  const nudges = store.nudges;
  const ids = counterIds();
  const buildings = new BuildingService({ store, nudges, clock, ids });
  const schedules = new ScheduleService({ store, nudges, buildings, cron: cronParserEngine, clock, ids });
  const runner = new NudgeRunner({
    store,
    nudges,
    cron: cronParserEngine,
    messenger,
    instanceId,
    graceMs: 6 * 3600_000,
    onError: () => {},
  });
  return { reviews, nudges, buildings, schedules, runner, messenger, clock };
}

export const validValues = {
  strategy: 'Collaborative lesson study',
  implementationMeasure: 'Walkthroughs with the fidelity checklist',
  fidelityPercent: '72%',
  impactMeasure: 'Grade 3 reading benchmark, share at or above',
  impactValue: '58',
  interimTarget: '60',
  meaning: 'Close to the interim target; fidelity is rising in grades 2-3.',
  recommendations: 'Fund a second release day for peer observation.',
};

/** A district (channel C1) with `n` buildings (channels CB1…CBn). */
export async function districtWithBuildings(h: ReturnType<typeof makeNudges>, n: number) {
  const district = await h.reviews.setupDistrict(coordinator, { name: 'Lakeview Schools', channelId: 'C1' });
  const buildings = [];
  for (let i = 1; i <= n; i++) {
    buildings.push(
      await h.buildings.register(coordinator, {
        channelId: 'C1',
        name: `School ${String(i).padStart(4, '0')}`,
        buildingChannelId: `CB${i}`,
        members: [`UB${i}`],
      }),
    );
  }
  return { district, buildings };
}

export { coordinator, TestClock };
