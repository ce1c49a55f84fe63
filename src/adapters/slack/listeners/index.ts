import type { App } from '@slack/bolt';
import { registerEvidence } from './actions/evidence';
import { registerMessageButtons } from './actions/messageButtons';
import { registerPerspective } from './actions/perspective';
import { registerVote } from './actions/vote';
import { registerMicip } from './commands/micip';
import type { ListenerContext } from './context';
import { registerAppHomeOpened } from './events/appHomeOpened';
import { registerUninstalled } from './events/uninstalled';
import { registerEvidenceModal } from './views/evidenceModal';

export type { ListenerContext } from './context';

/**
 * Registers every listener of the app on the Bolt App, one module each (the shape of Slack's bolt-ts-starter-template).
 * The nudge buttons and modal are registered separately (src/adapters/slack/nudges.ts, from src/main.ts).
 */
export function registerListeners(app: App, ctx: ListenerContext): void {
  // commands
  registerMicip(app, ctx);
  // actions
  registerVote(app, ctx);
  registerEvidence(app, ctx);
  registerMessageButtons(app, ctx);
  registerPerspective(app, ctx);
  // views
  registerEvidenceModal(app, ctx);
  // events
  registerAppHomeOpened(app, ctx);
  registerUninstalled(app, ctx);
}
