import type { Building } from '../../domain/building';
import { type District, isActiveMember, isCoordinator } from '../../domain/district';
import { DomainError } from '../../domain/errors';
import type { Access } from '../policy';
import type { Clock, IdGenerator, NoticeMessenger, Store } from '../ports';
import type { Actor } from '../schemas';
import { clip, code, type RichText, rich, strong } from '../text';
import type { NudgeRepos } from './nudgePorts';

/** A district's registered building and the district, or a clear refusal when either is gone. */
export async function registeredBuilding(
  d: { store: Store; buildings: NudgeRepos['buildings'] },
  tenantId: string,
  districtId: string,
  buildingId: string,
): Promise<{ district: District; building: Building }> {
  const district = await d.store.districts.get(tenantId, districtId);
  const building = district ? await d.buildings.get(tenantId, districtId, buildingId) : null;
  if (!district || !building)
    throw new DomainError(
      'invalid-input',
      'This building team is no longer registered. Ask the district coordinator to register it again.',
    );
  return { district, building };
}

/**
 * A building team's channel: which district a coordinator registers a building for from the building's own
 * channel (`building here`, `building move`), the welcome posted when a channel is registered, and whether the
 * channel can be reached (a failed message marks the building unreachable, the next one that arrives clears it).
 */

/**
 * Why a message did not arrive, as a coordinator reads it: the adapters' DeliveryFailure says it in plain words
 * with the platform's code; any other error is shown as its message (clipped).
 */
export const failureReason = (e: unknown): string =>
  clip((e instanceof Error ? e.message : String(e)).trim() || 'the chat platform refused it', 200);

/** What to do about a building channel the app cannot post in. */
export const reachFix = (buildingName: string): RichText =>
  rich`Add the MICIP app to that channel (in Teams: to the channel's team), then run ${code('nudge now')} "${buildingName}" in the district channel.`;

/**
 * Records what became of a message to a building's channel: `error` null = it arrived (clears `unreachable`),
 * otherwise marks the building unreachable with the reason (keeping when it first failed). Reads the stored
 * building first and writes only on a change. Returns the building as stored (null when it was removed).
 */
export async function noteDelivery(
  nudges: Pick<NudgeRepos, 'buildings'>,
  b: Pick<Building, 'tenantId' | 'districtId' | 'id'>,
  error: unknown,
  now: Date,
): Promise<Building | null> {
  const fresh = await nudges.buildings.get(b.tenantId, b.districtId, b.id);
  if (!fresh) return null;
  if (error === null) {
    if (!fresh.unreachable) return fresh;
    const cleared = { ...fresh, unreachable: null };
    await nudges.buildings.put(cleared);
    return cleared;
  }
  const reason = failureReason(error);
  if (fresh.unreachable?.reason === reason) return fresh;
  const marked = { ...fresh, unreachable: { reason, since: fresh.unreachable?.since ?? now.toISOString() } };
  await nudges.buildings.put(marked);
  return marked;
}

/**
 * Posts the welcome in a newly registered (or moved) building channel and records whether it arrived. Without a
 * messenger (a test, a server without chat) nothing is posted and the building is returned as it is.
 */
export async function welcome(
  d: { nudges: Pick<NudgeRepos, 'buildings'>; notices?: NoticeMessenger | undefined },
  district: District,
  b: Building,
  now: Date,
): Promise<Building> {
  if (!d.notices) return b;
  let error: unknown = null;
  try {
    await d.notices.sendNotice(
      { tenantId: b.tenantId, channelId: b.channelId },
      rich`:wave: This is now the channel of the ${strong(b.name)} building team of ${district.name}. Reminders to share your monitoring data will appear here.`,
    );
  } catch (e) {
    error = e ?? new Error('the chat platform refused it');
  }
  return (await noteDelivery(d.nudges, b, error, now)) ?? b;
}

/**
 * The district a coordinator means when they register or move a building from the building's own channel: the one
 * they coordinate, or the one they name when they coordinate several. Refused by the policy (`building.here`) when
 * they coordinate none here, or when they are not typing in a channel.
 */
export async function coordinatedDistrict(
  store: Store,
  access: Access,
  actor: Actor,
  channelId: string,
  named: string | undefined,
): Promise<District> {
  const asDistrict = await store.districts.findByChannel(actor.tenantId, channelId);
  if (asDistrict)
    throw new DomainError(
      'invalid-input',
      'This is a district channel. Run the command in the building team\'s own channel, or use `building add "Name" #channel` here.',
    );
  const mine = (await store.members.listByPerson(actor.tenantId, actor.userId)).filter(
    (m) => isActiveMember(m) && isCoordinator(m),
  );
  const districts = (
    await Promise.all(mine.map((m) => store.districts.get(actor.tenantId, m.districtId)))
  ).filter((x): x is District => x !== null);
  if (!districts.length) {
    await access.enforce(actor, 'building.here', null);
    throw new Error('unreachable: the policy refuses a coordinator of no district');
  }
  const names = districts
    .map((x) => x.name)
    .sort()
    .join(', ');
  let district: District | undefined;
  if (named !== undefined) {
    district = districts.find((x) => x.name.toLowerCase() === named.trim().toLowerCase());
    if (!district)
      throw new DomainError(
        'invalid-input',
        `You do not coordinate a district named "${clip(named, 60)}". You coordinate: ${names}.`,
      );
  } else if (districts.length > 1) {
    throw new DomainError(
      'invalid-input',
      `You coordinate more than one district (${names}): name it after the building, e.g. building here "Oak" "${districts[0]?.name}".`,
    );
  } else district = districts[0] as District;
  await access.enforce(actor, 'building.here', district);
  return district;
}

/** What registering and moving a building need. */
export interface PlacementDeps {
  nudges: Pick<NudgeRepos, 'buildings'>;
  clock: Clock;
  ids: IdGenerator;
  notices?: NoticeMessenger | undefined;
}

/** Registers a building team with its channel (names and channels are unique), then posts the welcome there. */
export async function createBuilding(
  d: PlacementDeps,
  actor: Pick<Actor, 'tenantId' | 'userId'>,
  district: District,
  name: string,
  channelId: string,
  members: string[],
): Promise<Building> {
  const existing = await d.nudges.buildings.list(actor.tenantId, district.id);
  if (existing.some((b) => b.name.toLowerCase() === name.toLowerCase()))
    throw new DomainError(
      'conflict',
      `A building named "${name}" is already registered. To give it another channel, run \`building move "${name}"\` in that channel.`,
      { name: 'already registered' },
    );
  const building: Building = {
    id: d.ids.next('b'),
    tenantId: actor.tenantId,
    districtId: district.id,
    name,
    channelId,
    members: Array.from(new Set(members)),
    createdAt: d.clock.now().toISOString(),
    createdBy: actor.userId,
  };
  const claimed = await d.nudges.buildings.claimChannel(actor.tenantId, channelId, {
    districtId: district.id,
    buildingId: building.id,
  });
  if (!claimed)
    throw new DomainError('conflict', 'That channel is already the channel of another building team.', {
      buildingChannelId: 'already used',
    });
  await d.nudges.buildings.put(building);
  return welcome(d, district, building, d.clock.now());
}

/**
 * Points a building at another channel (keeping its id, members, submissions and nudge counts), frees the old
 * one and posts the welcome in the new one. To its current channel: only the welcome (a reachability check).
 */
export async function moveBuilding(
  d: PlacementDeps,
  district: District,
  b: Building,
  channelId: string,
): Promise<Building> {
  const moved = { ...b, channelId };
  if (b.channelId !== channelId) {
    const owner = { districtId: district.id, buildingId: b.id };
    if (!(await d.nudges.buildings.claimChannel(b.tenantId, channelId, owner)))
      throw new DomainError('conflict', 'This channel is already the channel of another building team.');
    await d.nudges.buildings.put({ ...moved, unreachable: null });
    await d.nudges.buildings.releaseChannel(b.tenantId, b.channelId);
  }
  return welcome(d, district, moved, d.clock.now());
}
