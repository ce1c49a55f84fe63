import type { DomainError } from '../../domain/errors';
import type { ActionService } from '../actions/actionService';
import type { Activity1Service } from '../activity1/activity1Service';
import type { Activity1View } from '../activity1/activity1View';
import type { Links } from '../links';
import type { NetworkService } from '../network/networkService';
import type { BuildingService } from '../nudges/buildingService';
import type { ScheduleService } from '../nudges/scheduleService';
import type { PlanService } from '../plans/planService';
import type { PlanFormView } from '../plans/planViews';
import type { ChannelMembers, ReminderMessenger } from '../ports';
import type { ComparisonCardView } from '../reviews/comparisonCard';
import type { GroupThreadsView } from '../reviews/groupPolls';
import type { ReminderSchedules } from '../reviews/reminderSchedules';
import type { ResultsService } from '../reviews/results';
import type { ReviewService } from '../reviews/reviewService';
import type { ReviewView } from '../reviews/views';
import type { Actor } from '../schemas';
import type { RichText } from '../text';

/**
 * The coordinator command language shared by Slack (`/micip …`) and Teams (`@bot …`, manifest commands).
 * Adapters normalise user mentions to `<@ID>` or `<@ID|Name>` before calling `run`. Replies are RichText
 * (src/app/text.ts): each channel renders them and escapes the values users typed.
 */
export type CommandResult =
  | { kind: 'help'; text: RichText }
  | {
      kind: 'text';
      text: RichText;
      /** `groups split|define`: each group's own polls, which the chats post in a thread per group. */
      groupThreads?: GroupThreadsView;
      /** `groups compare`: the side-by-side comparison, which the chats also show as a card. */
      comparison?: ComparisonCardView;
      /** Polls whose messages the chats redraw (`groups clear`: the groups' polls lose their vote buttons). */
      redraw?: { reviewId: string; rowIds: string[] };
    }
  | {
      kind: 'review';
      action:
        | 'started'
        | 'closed'
        | 'next-round'
        | 'decided'
        | 'cancelled'
        | 'deadline'
        | 'archived'
        | 'unarchived'
        | 'status'
        | 'results';
      message: RichText;
      review: ReviewView;
    }
  | {
      kind: 'reviews';
      text: RichText;
      reviews: Array<{ reviewId: string; cycle: string; status: string; round: number }>;
    }
  /** Activity 1: posted in the channel as a card (`posted`), or its spread and reasons (`results`). */
  | { kind: 'activity1'; action: 'posted' | 'results'; message: RichText; activity: Activity1View }
  /** An action plan (Activity 3) as a form: its text, and the form where the asker may save it. */
  | { kind: 'plan'; message: RichText; plan: PlanFormView; saved: boolean }
  /** A file for the channel (e.g. an export): Slack uploads it; Teams posts a download link or card. */
  | {
      kind: 'file';
      message: RichText;
      filename: string;
      mimeType: string;
      content: string;
      /** A signed download link for the same file (web dashboard), when this server issues dashboard links. */
      url?: string;
    };

export interface CommandContext {
  actor: Actor;
  /** The channel or chat the command was typed in, as the platform reported it. */
  channelId: string;
  /** The platform's directory: roles are granted only to people it confirms exist in this workspace/tenant. */
  people?: People;
  /** The channel's members as the platform lists them (`roster import`); absent where it cannot list them. */
  channelMembers?: ChannelMembers;
  /** Delivers `remind`'s reminders in this chat (Slack: ephemeral messages; Teams: a channel message with mentions). */
  reminders?: ReminderMessenger;
}

/** Asks the chat platform whether a person exists here (Slack users.info; the Teams roster). */
export interface People {
  confirm(userId: string): Promise<{ displayName: string } | null>;
}

/** Building teams, nudge schedules and submissions (`building`, `schedule`, `submissions`). */
export interface NudgeCommandDeps {
  buildings: BuildingService;
  schedules: ScheduleService;
}

/** Optional collaborators: results/exports/reflection and the web dashboard's (signed) links. */
export interface CommandExtras {
  results?: ResultsService;
  /** Dashboard and export download links (the web adapter's `webLinks`); without it, no links are handed out. */
  links?: Links;
  /** Building teams, nudge schedules and submissions (`building`, `schedule`, `submissions`). */
  nudges?: NudgeCommandDeps;
  /** Co-op networks (`network …`). */
  network?: NetworkService;
  /** The toolkit's Activity 1 (`activity1 …`; `review start` shows its spread). */
  activity1?: Activity1Service;
  /** Actions that come back (`action add|done`, `actions`). */
  actions?: ActionService;
  /** Activity 3's action plans (`plan`, `plans`). */
  plans?: PlanService;
  /** `remind every Monday 9:00` / `remind off`: the district's reminder schedule (issue 15). */
  reminderSchedules?: ReminderSchedules;
}

/** What a command's handler may call: the use cases, and the table itself (for `help`). */
export interface CommandEnv extends CommandExtras {
  reviews: ReviewService;
  table: readonly CommandEntry[];
}

/**
 * Who help shows a command to. Only help reads this: what a person may actually do is decided by the policy
 * (src/app/policy.ts) inside each use case, so a hidden command still answers with the policy's refusal.
 * `anyone-until-setup`: everyone in a channel that is not a district team yet, then coordinators only.
 * `facilitator`: whoever facilitates a co-op network; `admin`: whom the platform confirms as an admin here.
 */
export type Role = 'anyone' | 'coordinator' | 'anyone-until-setup' | 'facilitator' | 'admin';

/** Help's sections by purpose, in help's order: each id with its heading. */
export const SECTIONS = {
  reviews: 'Reviews',
  running: 'Running a review',
  people: 'People',
  roster: 'Roster',
  buildings: 'Building teams and nudges',
  network: 'Co-op network',
  setup: 'Setup',
} as const;

export type Section = keyof typeof SECTIONS;

/** One line of help: a command's form and whom help shows it to. */
export interface HelpLine {
  usage: string;
  summary: string;
  role: Role;
}

/**
 * The command in the Teams app manifest's command menu (bots[0].commandLists, generated by
 * scripts/package-teams.ts): `team` is its description in team channels and group chats, `personal` in the
 * personal chat; a scope without a description does not list it. Teams' limits: title ≤ 32 characters,
 * description ≤ 128, at most 10 commands per scope.
 */
export interface TeamsMenuEntry {
  /** Defaults to the command's name (e.g. "review start" for `review`). */
  title?: string;
  team?: string;
  personal?: string;
}

/**
 * One command of the language: its name, who help shows it to, its usage and summary (help), the Teams menu
 * entry, the parser (words → arguments; usage errors, no I/O) and the handler (arguments → use case → reply).
 */
export interface CommandEntry<A = unknown> {
  name: string;
  /** Other words that run it (e.g. `?` for help). */
  aliases?: readonly string[];
  role: Role;
  usage: string;
  summary: string;
  /** The section of help that lists it (the built-in table gives each of its entries one; without: "More"). */
  section?: Section;
  teams?: TeamsMenuEntry;
  /** Help lines per form, each for its own role, instead of `usage`/`summary`/`role` (e.g. `network …`). */
  help?: readonly HelpLine[];
  /** Throws when this server lacks what the command needs (checked before the words are parsed). */
  requires?(env: CommandEnv): void;
  /** The words after the command name; `usage(problem)` is the error to throw, with this entry's usage. */
  parse(tokens: string[], usage: (problem: string) => DomainError): A;
  /** Runs the use case. `usage` is for input that proves wrong only against stored state (e.g. a row number). */
  handle(
    args: A,
    ctx: CommandContext,
    env: CommandEnv,
    usage: (problem: string) => DomainError,
  ): Promise<CommandResult>;
}

/** Declares a table entry, typing its parser's result into its handler. */
export const command = <A>(entry: CommandEntry<A>): CommandEntry => entry as CommandEntry;

/** A collaborator the entry's `requires` has already checked for. */
export function present<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('command table: a handler ran without what its entry requires');
  return value;
}
