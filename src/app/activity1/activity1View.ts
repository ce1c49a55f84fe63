import {
  type Activity1,
  type Activity1Content,
  type Activity1Pick,
  REASON_MAX,
  spreadOf,
} from '../../domain/activity1';
import { code, join, plain, type RichText, rich, strong } from '../text';

/**
 * Activity 1 as every channel shows it (Slack blocks, the Teams card, the console): the toolkit's words, the team's
 * spread (how many picked each learner outcome) and reasons, and the viewer's own pick. Already filtered for the
 * viewer: names beside reasons only for whoever asks from the team's own channel.
 */
export interface Activity1View {
  activityId: string;
  districtName: string;
  channelId: string;
  /** The toolkit's texts (rubric file, `activity1`). */
  sectionTitle: string;
  consequences: readonly string[];
  duration: string;
  steps: readonly string[];
  outcomes: Array<{
    number: number;
    text: string;
    count: number;
    /** `name` is null where the viewer may not see who said it (outside the team's channel). */
    reasons: Array<{ name: string | null; reason: string }>;
  }>;
  /** How many people have picked an outcome. */
  total: number;
  /** The viewer's pick, if any. */
  mine: { outcome: number; reason: string } | null;
  /** Longest reason kept (characters). */
  reasonMax: number;
}

export function buildActivity1View(o: {
  activity: Activity1;
  content: Activity1Content;
  districtName: string;
  picks: readonly Activity1Pick[];
  /** Roster names by member id (used when a pick carries no name). */
  names: ReadonlyMap<string, string>;
  viewerId: string | null;
  showNames: boolean;
}): Activity1View {
  const spread = spreadOf(o.content.learnerOutcomes.length, o.picks);
  const mine = o.picks.find((p) => p.memberId === o.viewerId);
  return {
    activityId: o.activity.id,
    districtName: o.districtName,
    channelId: o.activity.channelId,
    sectionTitle: o.content.sectionOne.title,
    consequences: o.content.unintendedConsequences,
    duration: o.content.duration,
    steps: o.content.steps,
    outcomes: spread.map((s) => ({
      number: s.outcome,
      text: o.content.learnerOutcomes[s.outcome - 1] ?? '',
      count: s.count,
      reasons: s.reasons.map((r) => ({
        name: o.showNames ? r.displayName || o.names.get(r.memberId) || r.memberId : null,
        reason: r.reason,
      })),
    })),
    total: o.picks.length,
    mine: mine ? { outcome: mine.outcome, reason: mine.reason } : null,
    reasonMax: REASON_MAX,
  };
}

/** "Outcome 1: 3 · Outcome 2: 1 · Outcome 3: 0 (4 people)" */
export function spreadLine(v: Activity1View): RichText {
  const parts = v.outcomes.map((o) => rich`outcome ${o.number}: ${strong(o.count)}`);
  return rich`${join(parts, ' · ')} (${v.total} ${plain(v.total === 1 ? 'person' : 'people')})`;
}

/** The spread and every reason, outcome by outcome (the `activity1 results` reply). */
export function activity1Summary(v: Activity1View): RichText {
  if (v.total === 0) {
    return rich`${strong('Activity 1')}: nobody has picked a learner outcome yet. Pick one on the Activity 1 card (a coordinator posts it with ${code('activity1')}).`;
  }
  const outcomes = v.outcomes.map((o) => {
    const reasons = o.reasons.map((r) =>
      r.name === null ? rich`  – ${r.reason}` : rich`  – ${strong(r.name)}: ${r.reason}`,
    );
    return join([rich`${o.number}. ${o.text} — ${strong(o.count)}`, ...reasons], '\n');
  });
  return rich`${strong('Activity 1')}: which learner outcome resonates most — ${spreadLine(v)}\n${join(outcomes, '\n')}`;
}

/** What `review start` adds when the district's Activity 1 has picks: the spread, before the first round. */
export function beforeFirstRound(v: Activity1View): RichText {
  const top = Math.max(...v.outcomes.map((o) => o.count));
  const most = v.outcomes.filter((o) => o.count === top).map((o) => String(o.number));
  return rich`\nBefore round 1 — Activity 1, the learner outcomes that resonate with the team: ${spreadLine(v)}; most chose ${plain(most.length > 1 ? 'outcomes' : 'outcome')} ${plain(most.join(' and '))}. ${code('activity1 results')} shows everyone's reasons.`;
}
