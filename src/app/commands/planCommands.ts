import type { FunctionStatus } from '../../domain/balance';
import { DomainError } from '../../domain/errors';
import { overviewText, planText } from '../plans/planViews';
import { rich, strong } from '../text';
import { type CommandEntry, type CommandEnv, command, present } from './types';

/**
 * Activity 3's action plans (`plan`, `plans`), run with CommandExtras.plans: a building team's Building Action
 * Planning template from its own channel, and the district team's side-by-side view and District Action Planning
 * template from the district channel. Typed commands only (the Teams menu is full).
 */
const needsPlans = (env: CommandEnv) => {
  if (!env.plans) throw new DomainError('invalid-state', 'Action plans are not enabled on this server.');
};

const STATUS_WORDS: Record<string, FunctionStatus> = {
  'in-place': 'in-place',
  inplace: 'in-place',
  'in place': 'in-place',
  create: 'create',
  strengthen: 'strengthen',
};

type PlanArgs =
  | { side: 'building' | 'district'; set: null }
  | { side: 'building' | 'district'; set: { fn: string; status: FunctionStatus; actions: string[] } };

export const PLAN_COMMANDS = {
  plan: command<PlanArgs>({
    name: 'plan',
    role: 'anyone',
    usage: 'plan [district] [<number> in-place|create|strengthen "action" …]',
    summary: "a building team's action plan (in its channel), or the district's",
    requires: needsPlans,
    parse(tokens, usage) {
      const rest = [...tokens];
      const side = rest[0]?.toLowerCase() === 'district' ? 'district' : 'building';
      if (side === 'district') rest.shift();
      if (rest.length === 0) return { side, set: null };
      const [fn, word, ...actions] = rest;
      const status = STATUS_WORDS[(word ?? '').toLowerCase()];
      if (!fn || !status)
        throw usage(
          'Give the function\'s number and a status, e.g. plan 2 strengthen "Monthly data meetings".',
        );
      return { side, set: { fn, status, actions } };
    },
    async handle(args, ctx, env) {
      const plans = present(env.plans);
      const channelId = ctx.channelId;
      if (args.set) {
        const view = await plans.setEntry(ctx.actor, args.side, { channelId, ...args.set });
        return {
          kind: 'plan',
          plan: view,
          saved: true,
          message: rich`Saved version ${view.version} of ${strong(view.buildingName ?? view.districtName)}'s plan.\n${planText(view)}`,
        };
      }
      const view =
        args.side === 'district'
          ? await plans.districtForm(ctx.actor, { channelId })
          : await plans.buildingForm(ctx.actor, { channelId });
      return { kind: 'plan', plan: view, saved: false, message: planText(view) };
    },
  }),
  plans: command({
    name: 'plans',
    role: 'anyone',
    usage: 'plans',
    summary:
      "every building team's action plan side by side (functions × buildings), and who has not submitted",
    requires: needsPlans,
    parse(tokens, usage) {
      if (tokens.length) throw usage('"plans" takes no words.');
      return {};
    },
    async handle(_args, ctx, env) {
      const o = await present(env.plans).overview(ctx.actor, { channelId: ctx.channelId });
      return { kind: 'text', text: overviewText(o) };
    },
  }),
} satisfies Record<string, CommandEntry>;
