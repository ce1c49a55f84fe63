import { type ActionItem, inReminderHours, localDay, reminderDue, reminderKey } from '../../domain/action';
import type { District } from '../../domain/district';
import type { NoticeMessenger, RubricCatalog, Store } from '../ports';
import { code, person, plain, type RichText, rich, strong } from '../text';

export interface ActionReminderDeps {
  store: Store;
  rubrics: RubricCatalog;
  /** Delivery to a district's channel (the same messenger as the co-op network's notices). */
  messenger: NoticeMessenger;
  /** Names this replica in claim records (diagnostics only; correctness comes from the store). */
  instanceId: string;
  /** An open action due within this many days (or overdue) is reminded, once per district day (default 3). */
  withinDays?: number;
  onError?: (what: string, e: unknown) => void;
}

export interface ActionReminderReport {
  sent: number;
  alreadyClaimed: number;
  failed: number;
  errors: number;
}

/** The reminder in the district's channel: mentions the owner, says what and by when, and how to mark it done. */
export function reminderText(a: ActionItem, rowTitle: string, daysLeft: number): RichText {
  const when =
    daysLeft > 1
      ? plain(`is due in ${daysLeft} days (${a.due})`)
      : daysLeft === 1
        ? plain(`is due tomorrow (${a.due})`)
        : daysLeft === 0
          ? plain(`is due today (${a.due})`)
          : plain(`was due ${a.due} (${-daysLeft} ${daysLeft === -1 ? 'day' : 'days'} ago)`);
  return rich`${strong('Action reminder')} for ${a.ownerName} ${person(a.ownerId)}: “${a.text}” (row “${rowTitle}”, cycle ${a.cycle}) ${when}. When it is done: ${code(`action done ${a.id}`)}`;
}

/**
 * Reminds owners of open actions that are due within `withinDays` days or overdue, in the district's channel.
 * Call `tick(now)` every minute on every replica (with the nudges): each reminder is claimed in the store under
 * (action, district day) with an insert-if-absent before it is sent, so however many replicas tick, an owner gets
 * at most one reminder per action per day, between 08:00 and 20:00 in the district's time zone. A delivery that
 * fails is recorded on its claim and reported, never sent twice.
 */
export class ActionReminderRunner {
  constructor(private readonly d: ActionReminderDeps) {}

  async tick(now: Date): Promise<ActionReminderReport> {
    const report: ActionReminderReport = { sent: 0, alreadyClaimed: 0, failed: 0, errors: 0 };
    let open: ActionItem[];
    try {
      open = await this.d.store.actions.listOpen();
    } catch (e) {
      report.errors++;
      this.d.onError?.('listing open actions', e);
      return report;
    }
    const districts = new Map<string, Promise<District | null>>();
    for (const a of open) {
      try {
        const k = `${a.tenantId}|${a.districtId}`;
        if (!districts.has(k)) districts.set(k, this.d.store.districts.get(a.tenantId, a.districtId));
        const district = await districts.get(k);
        if (!district || !inReminderHours(now, district.timezone)) continue;
        await this.remind(a, district, now, report);
      } catch (e) {
        report.errors++;
        this.d.onError?.(`action reminder ${a.id}`, e);
      }
    }
    return report;
  }

  private async remind(a: ActionItem, district: District, now: Date, report: ActionReminderReport) {
    const today = localDay(now, district.timezone);
    const left = reminderDue(a, today, this.d.withinDays ?? 3);
    if (left === null) return;
    const key = reminderKey(a, today);
    const claim = { by: this.d.instanceId, at: now, state: 'claimed' as const };
    if (!(await this.d.store.actions.claimReminder(key, claim))) {
      report.alreadyClaimed++;
      return;
    }
    const rowTitle = this.d.rubrics.get(a.rubricId)?.rows.find((r) => r.id === a.rowId)?.title ?? a.rowId;
    try {
      await this.d.messenger.sendNotice(
        { tenantId: district.tenantId, channelId: district.channelId },
        reminderText(a, rowTitle, left),
      );
      report.sent++;
      await this.d.store.actions.updateReminder(key, { ...claim, state: 'sent' });
    } catch (e) {
      report.failed++;
      this.d.onError?.(`action reminder ${a.id}`, e);
      await this.d.store.actions.updateReminder(key, { ...claim, state: 'failed' });
    }
  }
}
