import express from 'express';
import { z } from 'zod';
import type { CommandService, People } from '../../app/commands';
import type { ResultsService } from '../../app/reviews/results';
import type { ReviewService } from '../../app/reviews/reviewService';
import type { Actor } from '../../app/schemas';
import { plainText } from '../../app/text';
import { DomainError } from '../../domain/errors';
import { everyday } from '../../domain/reviewArchive';
import { renderPollCard, renderResultsCard, renderStatusCard } from '../cards/render';
import { countVote, type Metrics, noMetrics } from '../observability/metrics';
import { type ConsoleBuildingDeps, consoleBuildingRoutes } from './consoleChannels';
import { renderReflectionCard } from './reflectionCard';
import { richJson } from './richJson';

/**
 * The local console: one demo district on this server's store, whose members a person can act as in the
 * browser. It touches only the demo tenant below, so it can never reach a real district's data.
 */
export const DEMO_TENANT = 'console:demo';
export const DEMO_CHANNEL = 'console-demo';
export const DEMO_MEMBERS = [
  { id: 'demo-coordinator', name: 'Casey Morgan (coordinator)', perspective: 'district' as const },
  { id: 'demo-alex', name: 'Alex Rivera', perspective: 'district' as const },
  { id: 'demo-blair', name: 'Blair Chen', perspective: 'building' as const },
  { id: 'demo-devon', name: 'Devon Patel', perspective: 'building' as const },
];
const DEMO_IDS = DEMO_MEMBERS.map((m) => m.id) as [string, ...string[]];
/**
 * The console's people all sit in the demo district's channel. The console is the host's own local demo (it is
 * off once a chat platform is configured), so its coordinator counts as the workspace admin who set it up.
 */
const coordinatorActor: Actor = {
  tenantId: DEMO_TENANT,
  userId: 'demo-coordinator',
  displayName: 'Casey Morgan (coordinator)',
  channelId: DEMO_CHANNEL,
  conversation: 'channel',
  isAdmin: async () => true,
};
export const actorOf = (id: string): Actor => {
  const m = DEMO_MEMBERS.find((x) => x.id === id);
  if (!m) throw new DomainError('not-member', 'Choose one of the demo members.');
  return {
    tenantId: DEMO_TENANT,
    userId: m.id,
    displayName: m.name,
    channelId: DEMO_CHANNEL,
    conversation: 'channel',
  };
};
/** The demo's people, as a platform directory would confirm them (for `coordinator add @…`). */
const demoPeople: People = {
  confirm: async (id) => {
    const m = DEMO_MEMBERS.find((x) => x.id === id);
    return m ? { displayName: m.name } : null;
  },
};

const demoReady = new WeakMap<ReviewService, Promise<{ districtId: string }>>();

/**
 * Creates the demo district, its members and a first review when missing. Idempotent, and single-flight per
 * process (a page load racing start-up does not create a second demo review); a failed attempt is retried.
 */
export function ensureDemo(service: ReviewService): Promise<{ districtId: string }> {
  let p = demoReady.get(service);
  if (!p) {
    p = createDemo(service);
    demoReady.set(service, p);
    p.catch(() => demoReady.delete(service));
  }
  return p;
}

async function createDemo(service: ReviewService): Promise<{ districtId: string }> {
  let districtId: string;
  try {
    districtId = (await service.districtForChannel(coordinatorActor, DEMO_CHANNEL)).id;
  } catch (e) {
    if (!(e instanceof DomainError && e.code === 'unknown-district')) throw e;
    try {
      districtId = (
        await service.setupDistrict(coordinatorActor, {
          name: 'Demo District (local console)',
          channelId: DEMO_CHANNEL,
        })
      ).id;
    } catch (e2) {
      // Two replicas creating the demo at once: the other one won.
      if (!(e2 instanceof DomainError && e2.code === 'conflict')) throw e2;
      districtId = (await service.districtForChannel(coordinatorActor, DEMO_CHANNEL)).id;
    }
    for (const m of DEMO_MEMBERS.slice(1)) {
      await service.setMember(coordinatorActor, {
        channelId: DEMO_CHANNEL,
        memberId: m.id,
        displayName: m.name,
        perspective: m.perspective,
      });
    }
  }
  const reviews = await service.listReviews(coordinatorActor, DEMO_CHANNEL);
  if (reviews.length === 0) {
    await service.startReview(coordinatorActor, { channelId: DEMO_CHANNEL, cycle: 'Demo cycle 1' });
  }
  return { districtId };
}

const asSchema = z.enum(DEMO_IDS, { error: 'must be one of the demo members' });
const actionBody = z.object({
  as: asSchema,
  verb: z.enum(['vote', 'evidence', 'refresh', 'reflect'], { error: 'is not an action of this card' }),
  data: z
    .object({
      reviewId: z.string().max(200),
      rowId: z.string().max(200),
      choice: z.union([z.string().max(20), z.number()]).optional(),
      evidence: z.string().max(4000).optional(),
      q1: z.string().max(4000).optional(),
      q2: z.string().max(4000).optional(),
      q3: z.string().max(4000).optional(),
      q4: z.string().max(4000).optional(),
      q5: z.string().max(4000).optional(),
    })
    .strip(),
});
const commandBody = z.object({ as: asSchema, line: z.string().max(4000) });

export interface ConsoleDeps {
  /** The demo district's building teams in simulated channels (nudges, forms); absent: the page has none. */
  buildingTeams?: ConsoleBuildingDeps;
  service: ReviewService;
  commands: CommandService;
  results: ResultsService;
  dashboardUrl: (districtId: string) => string;
  /** Parses with zod or throws DomainError('invalid-input'); shared with the dashboard routes. */
  parse: <S extends z.ZodType>(schema: S, input: unknown) => z.output<S>;
  /** Votes are counted here. */
  metrics?: Metrics;
}

/** The console's JSON API (the page itself is static: web/console.html + web/console.js). */
export function consoleRouter(deps: ConsoleDeps): express.Router {
  const r = express.Router();
  r.use(express.json({ limit: '32kb' }));

  r.get('/state', async (req, res) => {
    const me = actorOf(deps.parse(z.object({ as: asSchema }), { as: req.query.as }).as);
    const { districtId } = await ensureDemo(deps.service);
    // The everyday list: archived reviews stay on the dashboard and in exports only.
    const reviews = everyday(await deps.service.listReviews(me, DEMO_CHANNEL));
    const current = reviews.find((x) => x.status === 'active') ?? reviews[0];
    const view = current ? await deps.service.getReviewState(me, { reviewId: current.id }) : null;
    const results = view ? await deps.results.results(me, { reviewId: view.reviewId }) : null;
    res.json({
      me: me.userId,
      members: DEMO_MEMBERS,
      dashboardUrl: deps.dashboardUrl(districtId),
      review: view
        ? {
            reviewId: view.reviewId,
            cycle: view.cycle,
            round: view.round,
            roundStatus: view.roundStatus,
            status: view.status,
          }
        : null,
      reviews: reviews.map((x) => ({ reviewId: x.id, cycle: x.cycle, status: x.status })),
      polls: view
        ? view.polls.map((p) => ({ rowId: p.rowId, card: renderPollCard(p, { personal: true }) }))
        : [],
      status: view ? renderStatusCard(view) : null,
      results: view ? renderResultsCard(view) : null,
      reflections: results
        ? results.rows
            .filter((row) => row.rating !== null)
            .map((row) => ({ rowId: row.rowId, card: renderReflectionCard(results, row, me) }))
        : [],
    });
  });

  r.post('/action', async (req, res) => {
    const body = deps.parse(actionBody, req.body);
    const me = actorOf(body.as);
    const { reviewId, rowId } = body.data;
    if (body.verb === 'vote') {
      const raw = body.data.choice;
      const choice = typeof raw === 'string' && /^[1-4]$/.test(raw) ? Number(raw) : raw;
      const evidence = body.data.evidence?.trim() ? body.data.evidence : null;
      const r1 = await countVote(deps.metrics ?? noMetrics, 'web', () =>
        deps.service.castVote(me, { reviewId, rowId, choice, evidence }),
      );
      res.json({ message: 'Your vote is recorded.', card: renderPollCard(r1.poll, { personal: true }) });
      return;
    }
    if (body.verb === 'evidence') {
      const r2 = await deps.service.addEvidence(me, { reviewId, rowId, evidence: body.data.evidence ?? '' });
      res.json({ message: 'Your evidence is recorded.', card: renderPollCard(r2.poll, { personal: true }) });
      return;
    }
    if (body.verb === 'reflect') {
      const answers = (['q1', 'q2', 'q3', 'q4', 'q5'] as const)
        .map((q, i) => ({ question: i + 1, answer: body.data[q]?.trim() ?? '' }))
        .filter((a) => a.answer !== '');
      if (answers.length === 0) {
        throw new DomainError('invalid-input', 'Write an answer to at least one question first.');
      }
      for (const a of answers) {
        await deps.results.answerReflection(me, { reviewId, rowId, question: a.question, answer: a.answer });
      }
      res.json({
        message: `Your ${answers.length === 1 ? 'answer is' : 'answers are'} kept with the results.`,
      });
      return;
    }
    const view = await deps.service.getPollState(me, { reviewId, rowId });
    res.json({ message: '', card: renderPollCard(view, { personal: true }) });
  });

  if (deps.buildingTeams) {
    consoleBuildingRoutes(r, deps.buildingTeams, {
      as: asSchema,
      actorOf,
      coordinator: coordinatorActor,
      ready: () => ensureDemo(deps.service),
      parse: deps.parse,
    });
  }

  r.post('/command', async (req, res) => {
    const body = deps.parse(commandBody, req.body);
    const result = await deps.commands.run(
      { actor: actorOf(body.as), channelId: DEMO_CHANNEL, people: demoPeople },
      body.line,
    );
    // `text` is the reply as plain text; `rich` the same as spans the page turns into DOM nodes (textContent only).
    switch (result.kind) {
      case 'help':
      case 'text':
      case 'reviews':
        res.json({ kind: result.kind, text: plainText(result.text), rich: richJson(result.text) });
        return;
      case 'plan':
      case 'activity1':
        // The reply as text (the spread and reasons); the card's clicks are Slack's and Teams' (not the console's).
        res.json({ kind: result.kind, text: plainText(result.message), rich: richJson(result.message) });
        return;
      case 'review':
        res.json({
          kind: result.kind,
          text: plainText(result.message),
          rich: richJson(result.message),
          card: renderResultsCard(result.review),
        });
        return;
      case 'file':
        res.json({
          kind: 'file',
          text: plainText(result.message),
          rich: richJson(result.message),
          filename: result.filename,
          mimeType: result.mimeType,
          content: result.content,
        });
        return;
      default: {
        const other = result as { kind: string };
        res.json({ kind: other.kind, text: '' });
      }
    }
  });
  return r;
}
