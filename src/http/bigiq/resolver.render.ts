// Domain objects → BIG-IQ machineid-resolver JSON (docs/compat/bigiq.md §8): devices with the property bags clients
// derive trust, APM import, access group and cluster from, and this server as the BIG-IQ. Pure: the routes read the
// store once per request and render from that snapshot (device groups: resolver.groups.ts).

import type { AccessGroup, Cluster, Device, DeviceKind, DeviceState, FailoverState } from '../../core/model.js';
import { deviceGroupLink, groupDeviceLink, machineIdLink } from './links.js';

/** Device kinds BIG-IQ shows as BIG-IP devices (SPS gets added here once it has a resolver shape of its own). */
const BIGIP_KINDS: ReadonlySet<DeviceKind> = new Set<DeviceKind>(['bigip']);

export const RESOLVER_DEVICE_KIND = 'shared:resolver:device-groups:restdeviceresolverdevicestate';
export const RESOLVER_DEVICE_COLLECTION_KIND = 'shared:resolver:device-groups:devicegroupdevicecollectionstate';

export const BIGIQ_VERSION = '8.3.0';
/** curfew does not read the BIG-IP software version; a fixed, plausible one keeps version checks stable. */
const BIGIP_VERSION = '15.1.0';
const BIGIP_BUILD = '0.0.31';

export const ALL_BIGIP_DEVICES = 'cm-bigip-allBigIpDevices';
export const ACCESS_ALL_BIGIP_DEVICES = 'cm-access-allBigIpDevices';
export const ALL_BIG_IQS = 'cm-shared-all-big-iqs';
export const CLUSTER_GROUP_PREFIX = 'cm-bigip-cluster_';

export type JsonObject = Record<string, unknown>;

/** This server, as the BIG-IQ that discovered every device and the one member of cm-shared-all-big-iqs. */
export interface ServerIdentity {
  machineId: string;
  /** curfew's version, reported as the BIG-IQ build. */
  build: string;
  /** The host the client addressed; the server's own resolver item reports it as its address. */
  hostname: string;
}

/** One request's snapshot of the inventory. */
export interface ResolverView {
  /** BIG-IP devices only. */
  devices: readonly Device[];
  clusters: readonly Cluster[];
  accessGroups: readonly AccessGroup[];
  sessionCounts: ReadonlyMap<string, number>;
  server: ServerIdentity;
  nowMicros: number;
}

/** What the store returns; `devices` may hold every kind. */
export type InventorySnapshot = Omit<ResolverView, 'server' | 'nowMicros'>;

/** The view BIG-IQ routes render from: BIG-IP devices only (the one place the kind filter lives). */
export function resolverView(inventory: InventorySnapshot, server: ServerIdentity, nowMicros: number): ResolverView {
  return { ...inventory, devices: inventory.devices.filter((d) => BIGIP_KINDS.has(d.kind)), server, nowMicros };
}

export type ResolverDeviceItem = {
  uuid: string;
  machineId: string;
  deviceUri: string;
  state: string;
  address: string;
  httpsPort: number;
  hostname: string;
  version: string;
  product: 'BIG-IP' | 'BIG-IQ';
  edition: string;
  build: string;
  restFrameworkVersion: string;
  managementAddress: string;
  mcpDeviceName: string;
  trustDomainGuid: string;
  properties: JsonObject;
  isClustered: boolean;
  isVirtual: boolean;
  isLicenseExpired: boolean;
  slots: { volume: string; product: string; version: string; build: string; isActive: boolean }[];
  tags: { name: string; value: string }[];
  /** Set on the items of `…/device-groups/<g>/devices` (ANS bigiq_device_info reads it). */
  groupName?: string;
  generation: number;
  lastUpdateMicros: number;
  kind: typeof RESOLVER_DEVICE_KIND;
  selfLink: string;
  // curfew extensions (extra keys; BIG-IQ clients ignore them).
  failoverState?: FailoverState;
  curfewState?: DeviceState;
  lastSyncMicros?: number | null;
  sessionCount?: number;
};

/**
 * Device health → resolver `state`. Only a device curfew can reach is ACTIVE (scripts filter on it). A device not
 * checked yet is PENDING (a state BIG-IQ shows while establishing trust); every failure is UNREACHABLE, a value no
 * client waits on, with the precise reason in `curfewState`.
 */
const RESOLVER_STATES: Readonly<Record<DeviceState, string>> = {
  online: 'ACTIVE',
  unknown: 'PENDING',
  unreachable: 'UNREACHABLE',
  timeout: 'UNREACHABLE',
  auth_failed: 'UNREACHABLE',
  error: 'UNREACHABLE',
};

function deviceUri(address: string, port: number): string {
  return `https://${address.includes(':') ? `[${address}]` : address}:${port}`;
}

/**
 * The per-group property bags of §8, from which clients derive trust (`cm:gui:module` has BigIPDevice), APM discovery
 * (has Access), APM import, access group and cluster. Import means "configuration imported into an access group",
 * so `imported` is true exactly when the device has one; curfew reads every member directly, so each is a source device.
 */
function deviceProperties(device: Device, view: ResolverView): JsonObject {
  const discoverer = { 'shared:resolver:device-groups:discoverer': view.server.machineId };
  const cluster = device.cluster ? { clusterName: device.cluster } : {};
  const group = device.accessGroup;
  const access = group
    ? {
        'cm:access:access-group-name': group,
        'cm:access:source-device': true,
        'cm:access:access-group-link': deviceGroupLink(group),
        'cm:access:access-group-device-link': groupDeviceLink(group, device.id),
      }
    : {};
  return {
    // Group-named entries first: a group that happens to share a fixed key's name must not shadow it.
    ...(group
      ? {
          [group]: {
            discovered: true,
            imported: true,
            'cm:access:source-device': true,
            'cm:access:all-bigip-device-link': groupDeviceLink(ACCESS_ALL_BIGIP_DEVICES, device.id),
            'cm:gui:module': ['Access'],
          },
        }
      : {}),
    ...(device.cluster
      ? {
          [`${CLUSTER_GROUP_PREFIX}${device.cluster}`]: {
            clusterName: device.cluster,
            ...discoverer,
            'cm:gui:module': [],
          },
        }
      : {}),
    'cm:gui:module': ['Access', 'BigIPDevice', 'adc'],
    [ALL_BIGIP_DEVICES]: { ...discoverer, ...cluster, 'cm:gui:module': ['BigIPDevice'] },
    'cm-bigip-allDevices': { ...discoverer, ...cluster, 'cm:gui:module': [] },
    'cm-adccore-allbigipDevices': {
      discovered: true,
      imported: true,
      ...cluster,
      'cm:gui:module': ['BigIPDevice', 'adc'],
    },
    [ACCESS_ALL_BIGIP_DEVICES]: {
      discovered: true,
      imported: group !== null,
      ...cluster,
      ...access,
      'cm:gui:module': ['Access'],
    },
    'cm-access-allDevices': { ...cluster, 'cm:gui:module': ['Access'] },
  };
}

/** What differs between resolver items; the rest is the same for every device BIG-IQ knows. */
interface ItemFacts {
  id: string;
  address: string;
  port: number;
  hostname: string;
  product: ResolverDeviceItem['product'];
  version: string;
  build: string;
  mcpDeviceName: string;
  state: string;
  properties: JsonObject;
  isClustered: boolean;
  lastUpdateMicros: number;
}

function resolverItem(facts: ItemFacts, groupName: string | undefined): ResolverDeviceItem {
  const { id, address, port, product, version, build } = facts;
  return {
    uuid: id,
    machineId: id,
    deviceUri: deviceUri(address, port),
    state: facts.state,
    address,
    httpsPort: port,
    hostname: facts.hostname,
    version,
    product,
    edition: 'Final',
    build,
    restFrameworkVersion: `${version}-${build}`,
    managementAddress: address,
    mcpDeviceName: facts.mcpDeviceName,
    // BIG-IQ reports the device's trust domain; curfew has none, and the machine id is stable and unique.
    trustDomainGuid: id,
    properties: facts.properties,
    isClustered: facts.isClustered,
    // Unknown to curfew; true as in every BIG-IQ example (VE labs).
    isVirtual: true,
    isLicenseExpired: false,
    slots: [{ volume: 'HD1.1', product, version, build, isActive: true }],
    tags: [],
    ...(groupName !== undefined && { groupName }),
    generation: 1,
    lastUpdateMicros: facts.lastUpdateMicros,
    kind: RESOLVER_DEVICE_KIND,
    selfLink: groupName === undefined ? machineIdLink(id) : groupDeviceLink(groupName, id),
  };
}

/** A BIG-IP device as a machineid-resolver item, or as a member of `groupName` when given. */
export function renderResolverDevice(device: Device, view: ResolverView, groupName?: string): ResolverDeviceItem {
  const syncMicros = device.lastSyncAt === null ? null : device.lastSyncAt * 1000;
  const facts: ItemFacts = {
    id: device.id,
    address: device.address,
    port: device.port,
    hostname: device.hostname,
    product: 'BIG-IP',
    version: BIGIP_VERSION,
    build: BIGIP_BUILD,
    mcpDeviceName: `/Common/${device.hostname}`,
    state: RESOLVER_STATES[device.state],
    properties: deviceProperties(device, view),
    isClustered: device.cluster !== null,
    lastUpdateMicros: syncMicros ?? view.nowMicros,
  };
  return {
    ...resolverItem(facts, groupName),
    failoverState: device.failover,
    curfewState: device.state,
    lastSyncMicros: syncMicros,
    sessionCount: view.sessionCounts.get(device.id) ?? 0,
  };
}

/** This server as a BIG-IQ resolver item: ANS's version probe reads its `version` (must be ≥ 6.1.0). */
export function renderServerDevice(view: ResolverView, groupName?: string): ResolverDeviceItem {
  const { machineId, build, hostname } = view.server;
  const facts: ItemFacts = {
    id: machineId,
    address: hostname,
    port: 443,
    hostname,
    product: 'BIG-IQ',
    version: BIGIQ_VERSION,
    build,
    mcpDeviceName: '/Common/curfew',
    state: 'ACTIVE',
    properties: { 'cm:gui:module': [], [ALL_BIG_IQS]: { 'cm:gui:module': [] } },
    isClustered: false,
    lastUpdateMicros: view.nowMicros,
  };
  return resolverItem(facts, groupName);
}

/**
 * The machineid-resolver collection: every BIG-IP device, then this BIG-IQ (a real resolver lists BIG-IQs too;
 * F5's scripts filter on `product`, and it comes last so `items[0]` of an address filter stays a BIG-IP).
 */
export function renderResolverDevices(view: ResolverView): ResolverDeviceItem[] {
  return [...view.devices.map((device) => renderResolverDevice(device, view)), renderServerDevice(view)];
}
