import {
  type BalanceContent,
  functionsOf,
  type PlanEntry,
  type PlanSide,
  STATUSES,
} from '../../domain/balance';
import { DomainError } from '../../domain/errors';
import { text } from '../schemas';
import { actionsField, statusField } from './planViews';

const actionText = text(10_000);

/** Splits a form's actions box into actions (one a line); control characters are refused with the field's name. */
export function actionsOf(field: string, v: unknown): string[] {
  if (v === undefined || v === null || v === '') return [];
  if (typeof v !== 'string')
    throw new DomainError('invalid-input', 'An actions box must be text.', { [field]: 'must be text' });
  const lines = v
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '');
  for (const l of lines)
    if (!actionText.safeParse(l).success)
      throw new DomainError(
        'invalid-input',
        'An action contains characters that cannot be saved. Nothing was saved.',
        {
          [field]: 'contains control characters',
        },
      );
  return lines;
}

/** The entries a form's values say: a function with a status (actions without one are refused). */
export function entriesFromForm(
  content: BalanceContent,
  side: PlanSide,
  values: Record<string, unknown>,
): PlanEntry[] {
  const out: PlanEntry[] = [];
  for (const f of functionsOf(content, side)) {
    const status = values[statusField(f.id)];
    const actions = actionsOf(actionsField(f.id), values[actionsField(f.id)]);
    if (status === undefined || status === null || status === '') {
      if (actions.length)
        throw new DomainError('invalid-input', `"${f.topic}" has actions but no status. Nothing was saved.`, {
          [statusField(f.id)]: 'choose in place, create or strengthen',
        });
      continue;
    }
    if (typeof status !== 'string' || !(STATUSES as readonly string[]).includes(status))
      throw new DomainError('invalid-input', `"${f.topic}" needs a status: in place, create or strengthen.`, {
        [statusField(f.id)]: 'choose in place, create or strengthen',
      });
    out.push({ functionId: f.id, status: status as PlanEntry['status'], actions });
  }
  return out;
}
