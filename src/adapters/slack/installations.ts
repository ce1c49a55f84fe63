import type { Installation, InstallationQuery, InstallationStore } from '@slack/bolt';
import type { KeyValueRepo } from '../../app/ports';

export const INSTALLATIONS_NS = 'slack-installations';

const keyOf = (
  enterpriseId: string | undefined,
  teamId: string | undefined,
  isEnterprise: boolean,
): string => {
  if (isEnterprise && enterpriseId) return `E:${enterpriseId}`;
  if (teamId) return `T:${teamId}`;
  throw new Error('An installation needs a team or an enterprise id');
};

/** Bolt's installation store on the product's store (one record per workspace or org-wide install). */
export function kvInstallationStore(kv: KeyValueRepo): InstallationStore {
  return {
    async storeInstallation(inst: Installation) {
      const key = keyOf(inst.enterprise?.id, inst.team?.id, inst.isEnterpriseInstall === true);
      // JSON round trip: plain data only (no undefined fields, no class instances).
      await kv.put(INSTALLATIONS_NS, key, JSON.parse(JSON.stringify(inst)) as object);
    },
    async fetchInstallation(q: InstallationQuery<boolean>) {
      const key = keyOf(q.enterpriseId, q.teamId, q.isEnterpriseInstall);
      const found = await kv.get<Installation>(INSTALLATIONS_NS, key);
      if (!found) throw new Error(`No Slack installation for ${key}`);
      return found;
    },
    async deleteInstallation(q: InstallationQuery<boolean>) {
      await kv.delete(INSTALLATIONS_NS, keyOf(q.enterpriseId, q.teamId, q.isEnterpriseInstall));
    },
  };
}
