// Pure selector resolution: which devices a kill task touches, and which sessions on each.
import type { ClusterView, Device, KillSelector, Session } from './model.js';

/** Derives clusters (members and ACTIVE unit) from the device inventory. */
export function clustersOf(devices: readonly Device[]): Map<string, ClusterView> {
  const clusters = new Map<string, ClusterView>();
  for (const device of devices) {
    if (!device.cluster) continue;
    let view = clusters.get(device.cluster);
    if (!view) {
      view = { name: device.cluster, members: [], active: null };
      clusters.set(device.cluster, view);
    }
    view.members.push(device.id);
    if (device.failover === 'ACTIVE' && view.active === null) view.active = device.id;
  }
  return clusters;
}

/** A cluster resolves to its ACTIVE member, or to all members while no member is known to be ACTIVE. */
export function clusterTargets(view: ClusterView): string[] {
  return view.active ? [view.active] : [...view.members];
}

export interface DeviceTarget {
  deviceId: string;
  /** Explicit session ids (KILL_BY_LIST_OF_SESSIONS); null = select on the device. */
  sessionIds: string[] | null;
}

/** What resolution looks at: the devices, plus configured clusters and groups that may have no member yet. */
export interface Inventory {
  devices: readonly Device[];
  clusterNames: readonly string[];
  accessGroupNames: readonly string[];
}

export interface Resolution {
  targets: DeviceTarget[];
  /** Device ids the selector names that the inventory does not have. */
  unknownDevices: string[];
  unknownClusters: string[];
  unknownAccessGroups: string[];
}

/**
 * Resolves a selector against the inventory. Scopes are a union; a member of a cluster whose ACTIVE unit is known
 * is replaced by that unit (sessions live there, and a STANDBY unit "succeeds" without ending anything).
 */
export function resolveSelector(selector: KillSelector, inventory: Inventory): Resolution {
  const { devices } = inventory;
  const byId = new Map(devices.map((d) => [d.id, d]));
  const clusters = clustersOf(devices);
  const unknownDevices = unique(
    [...selector.deviceIds, ...selector.sessions.map((s) => s.deviceId)].filter((id) => !byId.has(id)),
  );
  const knownClusters = new Set([...clusters.keys(), ...inventory.clusterNames]);
  const unknownClusters = unique(selector.clusterNames.filter((name) => !knownClusters.has(name)));
  const knownGroups = new Set([...devices.map((d) => d.accessGroup), ...inventory.accessGroupNames]);
  const unknownAccessGroups = unique(selector.accessGroupNames.filter((name) => !knownGroups.has(name)));

  if (selector.action === 'KILL_BY_LIST_OF_SESSIONS') {
    return { targets: explicitTargets(selector), unknownDevices, unknownClusters, unknownAccessGroups };
  }

  const chosen = new Set<string>();
  const add = (deviceId: string) => chosen.add(activeUnitFor(deviceId, byId, clusters));
  if (selector.all) for (const d of devices) add(d.id);
  for (const d of devices) if (d.accessGroup && selector.accessGroupNames.includes(d.accessGroup)) add(d.id);
  for (const name of selector.clusterNames) {
    const view = clusters.get(name);
    if (view) for (const id of clusterTargets(view)) chosen.add(id);
  }
  for (const id of selector.deviceIds) if (byId.has(id)) add(id);

  const targets = [...chosen].map((deviceId) => ({ deviceId, sessionIds: null }));
  return { targets, unknownDevices, unknownClusters, unknownAccessGroups };
}

function activeUnitFor(deviceId: string, byId: Map<string, Device>, clusters: Map<string, ClusterView>): string {
  const cluster = byId.get(deviceId)?.cluster;
  const view = cluster ? clusters.get(cluster) : undefined;
  return view?.active ?? deviceId;
}

function explicitTargets(selector: KillSelector): DeviceTarget[] {
  const merged = new Map<string, Set<string>>();
  for (const entry of selector.sessions) {
    const ids = merged.get(entry.deviceId) ?? new Set<string>();
    for (const id of entry.sessionIds) ids.add(id);
    merged.set(entry.deviceId, ids);
  }
  return [...merged].map(([deviceId, ids]) => ({ deviceId, sessionIds: [...ids] }));
}

/** Does a listed session match the selector's filters (user is exact and case-sensitive, as BIG-IQ documents)? */
export function sessionMatches(selector: KillSelector, session: Pick<Session, 'user' | 'clientIp'>): boolean {
  if (selector.action === 'KILL_BY_USER' && selector.userName !== undefined && session.user !== selector.userName) {
    return false;
  }
  if (selector.clientIp !== undefined && session.clientIp !== selector.clientIp) return false;
  return true;
}

export interface KillPlan {
  /** Ids to delete on the device. */
  toKill: string[];
  /** Explicitly requested ids the device does not have: already gone. */
  notFound: string[];
}

/** Decides what to delete on one device from what the device listed. */
export function planKill(
  selector: KillSelector,
  explicitIds: readonly string[] | null,
  listed: readonly Pick<Session, 'sessionId' | 'user' | 'clientIp'>[],
): KillPlan {
  if (explicitIds) {
    const present = new Set(listed.map((s) => s.sessionId));
    return {
      toKill: explicitIds.filter((id) => present.has(id)),
      notFound: explicitIds.filter((id) => !present.has(id)),
    };
  }
  return { toKill: listed.filter((s) => sessionMatches(selector, s)).map((s) => s.sessionId), notFound: [] };
}

export interface KillVerdict {
  killed: string[];
  notFound: string[];
  failed: string[];
}

/**
 * Verification: whatever is still listed after the deletes was not killed, whatever the device answered. A session
 * the device said it did not have (and that is not listed) was already gone: not_found, never an error.
 */
export function verifyKill(
  plan: KillPlan,
  stillListed: Iterable<string>,
  reportedMissing: Iterable<string> = [],
): KillVerdict {
  const remaining = new Set(stillListed);
  const missing = new Set(reportedMissing);
  const verdict: KillVerdict = { killed: [], notFound: [...plan.notFound], failed: [] };
  for (const id of plan.toKill) {
    if (remaining.has(id)) verdict.failed.push(id);
    else if (missing.has(id)) verdict.notFound.push(id);
    else verdict.killed.push(id);
  }
  return verdict;
}

function unique<T>(values: T[]): T[] {
  return [...new Set(values)];
}
