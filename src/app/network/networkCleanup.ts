import { isOldClaim } from '../../domain/networkSchedule';
import type { Store } from '../ports';
import { REMIND_CLAIMS } from './networkReminders';
import { ROUND_CLAIMS } from './remindSchedule';

export interface NetworkCleanupDeps {
  store: Store;
  instanceId?: string;
  onError?: (what: string, e: unknown) => void;
}

/** Key-value namespace of the clean-up's own claims (one per UTC day). */
export const CLEANUP_CLAIMS = 'network-cleanup';

/** The claim namespaces whose old keys are removed (each value holds the claim's time as `at`). */
const CLAIM_NAMESPACES = [REMIND_CLAIMS, ROUND_CLAIMS, CLEANUP_CLAIMS] as const;

export interface CleanupReport {
  /** Whether this replica ran today's clean-up (false: another one had, or it ran already). */
  ran: boolean;
  expiredConnects: number;
  oldClaims: number;
  errors: number;
}

/**
 * The co-op network's housekeeping, ticked with the nudges: once a UTC day (the replica whose insert of the day's key
 * succeeds) it removes the connect requests that expired unanswered (with the pair each still holds) and the claims of
 * reminders and scheduled rounds older than CLAIM_RETENTION_MS (long past any use: a reminder claim guards one UTC
 * day, a round claim the round's grace period).
 */
export class NetworkCleanup {
  constructor(private readonly d: NetworkCleanupDeps) {}

  async tick(now: Date): Promise<CleanupReport> {
    const report: CleanupReport = { ran: false, expiredConnects: 0, oldClaims: 0, errors: 0 };
    const day = now.toISOString().slice(0, 10);
    const claim = { by: this.d.instanceId ?? 'this', at: now.toISOString() };
    try {
      if (!(await this.d.store.kv.putIfAbsent(CLEANUP_CLAIMS, day, claim))) return report;
    } catch (e) {
      report.errors++;
      this.d.onError?.('claiming the network clean-up', e);
      return report;
    }
    report.ran = true;
    try {
      report.expiredConnects = await this.d.store.networks.removeExpiredConnects(now);
    } catch (e) {
      report.errors++;
      this.d.onError?.('removing expired connect requests', e);
    }
    for (const ns of CLAIM_NAMESPACES) {
      try {
        for (const { key, value } of await this.d.store.kv.list<{ at?: string }>(ns)) {
          if (ns === CLEANUP_CLAIMS && key === day) continue;
          if (!isOldClaim(value.at, now)) continue;
          await this.d.store.kv.delete(ns, key);
          report.oldClaims++;
        }
      } catch (e) {
        report.errors++;
        this.d.onError?.(`removing old claims (${ns})`, e);
      }
    }
    return report;
  }
}
