// Configuration objects as the SPS API shows them: references as `{key, meta: {href}}`, read-only status fields from
// the committed rows, collections in a stable order (by name or hostname) for listings and sibling links.
import { AAA_USERS, CLUSTERS, DEVICES, PASSWORDS } from '../../core/access.js';
import {
  COLLECTION_HREFS,
  type CollectionName,
  type ConfigObject,
  collectionOf,
  type DeviceConfig,
  type GroupConfig,
  type NamedConfig,
  type UserConfig,
} from '../../engine/config/config-model.js';
import type { ConfigView } from '../../engine/config/transactions.js';
import { item, type ListedItem, reference } from './envelope.js';

const seconds = (ms: number | null | undefined): number | null => (ms == null ? null : Math.floor(ms / 1000));

function sortField(object: ConfigObject): string {
  return 'hostname' in object ? object.hostname : object.name;
}

/** Keys of a collection in listing order. */
export function orderedKeys(view: ConfigView, collection: CollectionName): string[] {
  return [...collectionOf(view.state, collection).entries()]
    .sort(([ka, a], [kb, b]) => sortField(a).localeCompare(sortField(b)) || ka.localeCompare(kb))
    .map(([key]) => key);
}

export function listedItems(view: ConfigView, collection: CollectionName): ListedItem[] {
  return orderedKeys(view, collection).map((key) => item(key, `${COLLECTION_HREFS[collection]}/${key}`));
}

const optionalRef = (href: string, key: string | null) => (key === null ? null : reference(href, key));

function renderUser(view: ConfigView, key: string, user: UserConfig) {
  const committed = view.users.get(key);
  return {
    name: user.name,
    password: optionalRef(PASSWORDS, user.password),
    password_created: committed ? seconds(committed.passwordChangedAt ?? committed.createdAt) : null,
  };
}

function renderGroup(group: GroupConfig) {
  return { name: group.name, members: group.members.map((k) => reference(AAA_USERS, k)) };
}

function renderDevice(view: ConfigView, id: string, device: DeviceConfig) {
  const row = view.devices.get(id);
  return {
    hostname: device.hostname,
    address: device.address,
    port: device.port,
    kind: device.kind,
    username: device.username,
    password: optionalRef(PASSWORDS, device.password),
    verify_tls: device.verify_tls,
    cluster: optionalRef(CLUSTERS, device.cluster),
    access_group: optionalRef(COLLECTION_HREFS.access_groups, device.access_group),
    state: row?.state ?? 'unknown',
    failover: row?.failover ?? 'UNKNOWN',
    last_sync: seconds(row?.lastSyncAt),
    last_error: row?.lastError ?? null,
  };
}

function renderNamed(view: ConfigView, field: 'cluster' | 'access_group', named: NamedConfig) {
  const members = orderedKeys(view, 'devices').filter((id) => view.state.devices.get(id)?.[field] === named.name);
  return { name: named.name, description: named.description, members: members.map((id) => reference(DEVICES, id)) };
}

/** The body of one object, as GET shows it. */
export function renderBody(view: ConfigView, collection: CollectionName, key: string, object: ConfigObject): unknown {
  switch (collection) {
    case 'users':
      return renderUser(view, key, object as UserConfig);
    case 'groups':
      return renderGroup(object as GroupConfig);
    case 'devices':
      return renderDevice(view, key, object as DeviceConfig);
    case 'clusters':
      return renderNamed(view, 'cluster', object as NamedConfig);
    case 'access_groups':
      return renderNamed(view, 'access_group', object as NamedConfig);
  }
}
