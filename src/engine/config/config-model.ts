// The configuration as transactions see it: plain objects keyed like the SPS API (users and groups by 22-hex keys,
// devices by machine id, clusters and access groups by name), their paths, and the state built from the store.
// Object fields use the API's names, so a change's old_value/new_value is exactly the object (references as keys).
import { randomBytes, randomUUID } from 'node:crypto';
import { AAA_ACLS, AAA_GROUPS, AAA_USERS, ACCESS_GROUPS, type AclEntry, CLUSTERS, DEVICES } from '../../core/access.js';
import type { DeviceKind } from '../../core/model.js';
import type { ConfigSnapshot } from '../../store/store.js';

export type CollectionName = 'users' | 'groups' | 'devices' | 'clusters' | 'access_groups';
export const COLLECTIONS: readonly CollectionName[] = ['users', 'groups', 'devices', 'clusters', 'access_groups'];

/** Where each collection lives in the API; an object's path is `<href>/<key>`. */
export const COLLECTION_HREFS: Readonly<Record<CollectionName, string>> = {
  users: AAA_USERS,
  groups: AAA_GROUPS,
  devices: DEVICES,
  clusters: CLUSTERS,
  access_groups: ACCESS_GROUPS,
};

/** What the API calls one object of each collection, for messages. */
export const NOUNS: Readonly<Record<CollectionName, string>> = {
  users: 'user',
  groups: 'group',
  devices: 'device',
  clusters: 'cluster',
  access_groups: 'access group',
};

export interface UserConfig {
  name: string;
  /** Key of the password object that set the current password; null when it was set outside the API. */
  password: string | null;
}

export interface GroupConfig {
  name: string;
  /** User keys. */
  members: string[];
}

export interface DeviceConfig {
  hostname: string;
  address: string;
  port: number;
  kind: DeviceKind;
  username: string | null;
  /** Key of the password object behind the credential; null when the credential was stored outside the API. */
  password: string | null;
  verify_tls: boolean;
  cluster: string | null;
  access_group: string | null;
}

export interface NamedConfig {
  name: string;
  description: string;
}

export interface ConfigObjectTypes {
  users: UserConfig;
  groups: GroupConfig;
  devices: DeviceConfig;
  clusters: NamedConfig;
  access_groups: NamedConfig;
}

export type ConfigObject = ConfigObjectTypes[CollectionName];

export type ConfigState = { [C in CollectionName]: Map<string, ConfigObjectTypes[C]> } & { acls: AclEntry[] };

/** What a path names: one object of a collection, or the ACL list. */
export type ConfigTarget = { collection: CollectionName; key: string } | { collection: 'acls' };

export const objectPath = (collection: CollectionName, key: string): string => `${COLLECTION_HREFS[collection]}/${key}`;

export function targetOf(path: string): ConfigTarget | undefined {
  if (path === AAA_ACLS) return { collection: 'acls' };
  for (const collection of COLLECTIONS) {
    const prefix = `${COLLECTION_HREFS[collection]}/`;
    if (path.startsWith(prefix) && path.length > prefix.length) return { collection, key: path.slice(prefix.length) };
  }
  return undefined;
}

/** SPS-style key of a new user or group: 22 lowercase hex characters. */
export const newObjectKey = (): string => randomBytes(11).toString('hex');

/** The key a new object gets: clusters and access groups are keyed by name, devices by a new machine id. */
export function keyForNew(collection: CollectionName, object: ConfigObject): string {
  if (collection === 'clusters' || collection === 'access_groups') return (object as NamedConfig).name;
  return collection === 'devices' ? randomUUID() : newObjectKey();
}

/** The committed configuration as transaction state. */
export function stateFromSnapshot(snapshot: ConfigSnapshot): ConfigState {
  const passwordOf = (collection: CollectionName, key: string) =>
    snapshot.passwordByPath.get(objectPath(collection, key)) ?? null;
  return {
    users: new Map(snapshot.users.map((u) => [u.key, { name: u.name, password: passwordOf('users', u.key) }])),
    groups: new Map(snapshot.groups.map((g) => [g.key, { name: g.name, members: [...g.members] }])),
    devices: new Map(
      snapshot.devices.map((d) => [
        d.id,
        {
          hostname: d.hostname,
          address: d.address,
          port: d.port,
          kind: d.kind,
          username: snapshot.deviceUsernames.get(d.id) ?? null,
          password: passwordOf('devices', d.id),
          verify_tls: d.verifyTls,
          cluster: d.cluster,
          access_group: d.accessGroup,
        },
      ]),
    ),
    clusters: new Map(snapshot.clusters.map((c) => [c.name, { name: c.name, description: c.description }])),
    access_groups: new Map(snapshot.accessGroups.map((g) => [g.name, { name: g.name, description: g.description }])),
    acls: snapshot.acls.map((a) => ({ group: a.group, objects: [...a.objects], permission: a.permission })),
  };
}

export function cloneState(state: ConfigState): ConfigState {
  return structuredClone(state);
}

/** The collection's map, typed loosely for code that works on any collection. */
export const collectionOf = (state: ConfigState, collection: CollectionName): Map<string, ConfigObject> =>
  state[collection] as Map<string, ConfigObject>;

/** Objects that hold a password reference, by path. */
export function passwordReferences(state: ConfigState): Map<string, string[]> {
  const refs = new Map<string, string[]>();
  for (const collection of ['users', 'devices'] as const) {
    for (const [key, object] of state[collection]) {
      if (object.password)
        refs.set(object.password, [...(refs.get(object.password) ?? []), objectPath(collection, key)]);
    }
  }
  return refs;
}
