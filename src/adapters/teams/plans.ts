import { z } from 'zod';
import type { PlanService } from '../../app/plans/planService';
import { isDomainError } from '../../domain/errors';
import { PLAN_OPEN_VERB, PLAN_VERB, renderPlanCard } from '../cards/planCard';
import type { TeamsActionHandler } from './context';

/** The plan card's data with its inputs (`associatedInputs: auto`): ids, the version drawn, `<id>.status|actions`. */
const data = z
  .object({
    districtId: z.string().min(1).max(200),
    buildingId: z.string().min(1).max(200).nullable(),
    version: z.coerce.number().int().min(0),
  })
  .loose();

/**
 * Teams side of the action plans: a plan nudge's "Open the form" (verb "plan-open") answers with the plan card; the
 * plan card's "Save" (Action.Execute verb "plan-save") saves a new version for
 * the person who clicked, from the conversation they clicked in, and answers with the refreshed card. A refusal
 * about the input (or a teammate's save meanwhile) comes back on the card with what they typed, so nothing is lost.
 */
export function teamsPlanActions(d: { plans: PlanService }): TeamsActionHandler {
  return {
    verbs: [PLAN_VERB, PLAN_OPEN_VERB],
    async handle(actor, verb, raw) {
      if (verb === PLAN_OPEN_VERB) {
        // A plan nudge's "Open the form": the building's plan, for whoever clicked, where they clicked.
        const open = data.pick({ districtId: true, buildingId: true }).safeParse(raw);
        if (!open.success) throw new Error('plan nudge data is not valid');
        return renderPlanCard(await d.plans.form(actor, open.data));
      }
      const parsed = data.safeParse(raw);
      if (!parsed.success) throw new Error('plan card data is not valid');
      const { districtId, buildingId, version } = parsed.data;
      const typed: Record<string, string> = {};
      for (const [k, v] of Object.entries(parsed.data))
        if (/\.(status|actions)$/.test(k) && typeof v === 'string') typed[k] = v;
      try {
        const saved = await d.plans.save(actor, { districtId, buildingId, version, values: typed });
        return renderPlanCard(saved, { notice: `Saved version ${saved.version}.` });
      } catch (e) {
        if (isDomainError(e) && (e.code === 'invalid-input' || e.code === 'conflict')) {
          const fresh = await d.plans.form(actor, { districtId, buildingId });
          return renderPlanCard(fresh, { notice: e.message, typed });
        }
        throw e;
      }
    },
  };
}
