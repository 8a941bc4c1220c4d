// A commit, planned: the writes that turn the committed state into the transaction's final state (in dependency
// order, for one database transaction), who must log in again, and what the engine must do once it is written.
import type { Device } from '../../core/model.js';
import { hashPassword, passwordLengthProblem } from '../../core/passwords.js';
import type { ConfigOp, ConfigSnapshot } from '../../store/store.js';
import type { DeviceConnections } from '../connections.js';
import type { InventorySync } from '../inventory-sync.js';
import {
  type CollectionName,
  type ConfigState,
  type DeviceConfig,
  objectPath,
  type UserConfig,
} from './config-model.js';
import { invalid } from './config-parse.js';

export interface FleetEffects {
  added: Device[];
  changed: Device[];
  removed: string[];
}

export interface CommitPlan {
  ops: ConfigOp[];
  /** Users whose password changed or who were deleted: their login sessions end. */
  endLoginsOf: string[];
  fleet: FleetEffects;
}

export interface PlanInput {
  snapshot: ConfigSnapshot;
  committed: ConfigState;
  final: ConfigState;
  /** The secret of an unused password object; undefined when it is missing or already consumed. */
  reveal(key: string): Promise<string | undefined>;
  now: number;
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);
const credentialRefOf = (id: string): string => `device:${id}`;

async function secretOf(input: PlanInput, key: string): Promise<string> {
  const secret = await input.reveal(key);
  if (secret === undefined) {
    throw invalid(
      'You tried to reuse a password object. You can use a password object for only one purpose, that is, you cannot reference a password object twice.',
      { password: key },
    );
  }
  return secret;
}

/** Password bookkeeping of one object: the old object goes, the new one is consumed (in that order: used_by is unique). */
function passwordOps(input: PlanInput, collection: CollectionName, key: string, next: string | null): ConfigOp[] {
  const path = objectPath(collection, key);
  const current = input.snapshot.passwordByPath.get(path) ?? null;
  if (current === next) return [];
  return [
    ...(current ? [{ op: 'deletePassword' as const, key: current }] : []),
    ...(next ? [{ op: 'consumePassword' as const, key: next, usedBy: path }] : []),
  ];
}

/** Checked again at commit: a transaction may have been written before the rule existed. */
function userSecret(user: UserConfig, secret: string): string {
  const tooShort = passwordLengthProblem(secret);
  if (tooShort) throw invalid(`User "${user.name}": ${tooShort}`);
  return secret;
}

async function userOps(input: PlanInput, plan: CommitPlan): Promise<ConfigOp[]> {
  const ops: ConfigOp[] = [];
  for (const [key, user] of input.final.users) {
    const before = input.committed.users.get(key);
    if (before && before.password === user.password) continue;
    const hash = user.password ? await hashPassword(userSecret(user, await secretOf(input, user.password))) : undefined;
    if (!before) {
      if (!hash) throw invalid(`User "${user.name}" has no password.`);
      ops.push({
        op: 'insertUser',
        user: { key, name: user.name, passwordHash: hash, createdAt: input.now, passwordChangedAt: input.now },
      });
    } else if (hash) {
      ops.push({ op: 'setUserPassword', key, passwordHash: hash, at: input.now });
      plan.endLoginsOf.push(user.name);
    }
    ops.push(...passwordOps(input, 'users', key, user.password));
  }
  return ops;
}

function deviceOf(id: string, config: DeviceConfig, committed: Device | undefined, hasCredential: boolean): Device {
  return {
    id,
    hostname: config.hostname,
    address: config.address,
    port: config.port,
    kind: config.kind,
    credentialRef: hasCredential ? credentialRefOf(id) : (committed?.credentialRef ?? null),
    verifyTls: config.verify_tls,
    cluster: config.cluster,
    accessGroup: config.access_group,
    state: committed?.state ?? 'unknown',
    failover: committed?.failover ?? 'UNKNOWN',
    lastSyncAt: committed?.lastSyncAt ?? null,
    lastError: committed?.lastError ?? null,
  };
}

async function deviceOps(input: PlanInput, plan: CommitPlan): Promise<ConfigOp[]> {
  const ops: ConfigOp[] = [];
  const committedDevices = new Map(input.snapshot.devices.map((d) => [d.id, d]));
  for (const [id, config] of input.final.devices) {
    const before = input.committed.devices.get(id);
    if (before && same(before, config)) continue;
    const row = committedDevices.get(id);
    const newPassword = config.password !== (before?.password ?? null) && config.password !== null;
    const ref = row?.credentialRef ?? credentialRefOf(id);
    if (newPassword && config.password) {
      const secret = await secretOf(input, config.password);
      ops.push({ op: 'putCredential', ref, username: config.username ?? '', password: secret });
    } else if (row?.credentialRef && config.username !== before?.username) {
      ops.push({ op: 'putCredential', ref, username: config.username ?? '' });
    }
    const device = deviceOf(id, config, row, newPassword && !row?.credentialRef);
    ops.push(row ? { op: 'updateDevice', device } : { op: 'insertDevice', device });
    ops.push(...passwordOps(input, 'devices', id, config.password));
    (row ? plan.fleet.changed : plan.fleet.added).push(device);
  }
  return ops;
}

function namedOps(input: PlanInput): ConfigOp[] {
  const ops: ConfigOp[] = [];
  for (const [name, cluster] of input.final.clusters) {
    if (!same(input.committed.clusters.get(name), cluster)) ops.push({ op: 'putCluster', cluster });
  }
  for (const [name, group] of input.final.access_groups) {
    if (!same(input.committed.access_groups.get(name), group)) ops.push({ op: 'putAccessGroup', group });
  }
  return ops;
}

function aaaOps(input: PlanInput): ConfigOp[] {
  const ops: ConfigOp[] = [];
  for (const [key, group] of input.final.groups) {
    if (!same(input.committed.groups.get(key), group)) ops.push({ op: 'putGroup', group: { key, ...group } });
  }
  if (!same(input.committed.acls, input.final.acls)) ops.push({ op: 'replaceAcls', acls: input.final.acls });
  return ops;
}

/** Removals, dependents first: devices, groups, users, then clusters and access groups. */
function deleteOps(input: PlanInput, plan: CommitPlan): ConfigOp[] {
  const ops: ConfigOp[] = [];
  const gone = <T>(collection: Map<string, T>, final: Map<string, T>) =>
    [...collection.keys()].filter((k) => !final.has(k));
  for (const id of gone(input.committed.devices, input.final.devices)) {
    const ref = input.snapshot.devices.find((d) => d.id === id)?.credentialRef;
    ops.push({ op: 'deleteDevice', id }, ...(ref ? [{ op: 'deleteCredential' as const, ref }] : []));
    ops.push(...passwordOps(input, 'devices', id, null));
    plan.fleet.removed.push(id);
  }
  for (const key of gone(input.committed.groups, input.final.groups)) ops.push({ op: 'deleteGroup', key });
  for (const key of gone(input.committed.users, input.final.users)) {
    ops.push({ op: 'deleteUser', key }, ...passwordOps(input, 'users', key, null));
    plan.endLoginsOf.push((input.committed.users.get(key) as UserConfig).name);
  }
  for (const name of gone(input.committed.clusters, input.final.clusters)) ops.push({ op: 'deleteCluster', name });
  for (const name of gone(input.committed.access_groups, input.final.access_groups)) {
    ops.push({ op: 'deleteAccessGroup', name });
  }
  return ops;
}

export async function planCommit(input: PlanInput): Promise<CommitPlan> {
  const plan: CommitPlan = { ops: [], endLoginsOf: [], fleet: { added: [], changed: [], removed: [] } };
  // Removals first, so a name or hostname freed in this transaction can be taken again by it.
  plan.ops.push(...deleteOps(input, plan));
  plan.ops.push(...namedOps(input));
  plan.ops.push(...(await userOps(input, plan)));
  plan.ops.push(...aaaOps(input));
  plan.ops.push(...(await deviceOps(input, plan)));
  return plan;
}

/**
 * Brings the engine in line with a committed fleet change: connections of changed and removed devices are dropped,
 * new and changed devices are synced at once. Sync failures land on the device's state, never on the commit.
 */
/** What a commit's fleet changes need of the running engine: fresh connections and a sync of what changed. */
export interface FleetRuntime {
  connections: Pick<DeviceConnections, 'drop'>;
  sync: Pick<InventorySync, 'syncDevice'>;
}

export async function applyFleetEffects(engine: FleetRuntime, fleet: FleetEffects): Promise<void> {
  await Promise.all([...fleet.changed.map((d) => d.id), ...fleet.removed].map((id) => engine.connections.drop(id)));
  await Promise.all([...fleet.added, ...fleet.changed].map((device) => engine.sync.syncDevice(device)));
}
