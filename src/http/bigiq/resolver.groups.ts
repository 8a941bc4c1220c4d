// Device groups as BIG-IQ lists them (docs/compat/bigiq.md §9): the well-known groups, one per access group, one per
// cluster, with their members; and the Access mgmt-authority-status view of the access groups. Pure, like the
// device rendering it builds on.
import type { Device } from '../../core/model.js';
import { clustersOf } from '../../core/selector.js';
import { deviceGroupLink, machineIdLink, type Reference, reference } from './links.js';
import {
  ACCESS_ALL_BIGIP_DEVICES,
  ALL_BIG_IQS,
  ALL_BIGIP_DEVICES,
  CLUSTER_GROUP_PREFIX,
  type ResolverDeviceItem,
  type ResolverView,
  renderResolverDevice,
  renderServerDevice,
} from './resolver.render.js';

export const DEVICE_GROUP_KIND = 'shared:resolver:device-groups:devicegroupstate';
export const DEVICE_GROUP_COLLECTION_KIND = 'shared:resolver:device-groups:devicegroupcollectionstate';
// Not published by F5 (BULK only reads items[].groupName); named after the framework's pattern.
export const AUTHORITY_STATUS_KIND = 'cm:access:utility:view:mgmt-authority-status:mgmtauthoritystatusitemstate';
export const AUTHORITY_STATUS_COLLECTION_KIND =
  'cm:access:utility:view:mgmt-authority-status:mgmtauthoritystatuscollectionstate';

/** Groups every BIG-IP device belongs to (BIG-IQ 7.1 endpoint dump). */
const ALL_BIGIP_GROUPS: readonly (readonly [name: string, displayName: string])[] = [
  [ALL_BIGIP_DEVICES, 'All BIG-IP Devices'],
  ['cm-bigip-allDevices', 'All Devices'],
  [ACCESS_ALL_BIGIP_DEVICES, 'All Access managed BIG-IP devices'],
  ['cm-access-allDevices', 'All Access Devices'],
  ['cm-adccore-allbigipDevices', 'All ADC managed BIG-IP devices'],
];

/** A device group with its members, before rendering. */
export interface DeviceGroup {
  groupName: string;
  displayName: string;
  description: string;
  infrastructure: boolean;
  autoManageLocalhost: boolean;
  properties: Record<string, string>;
  members: readonly Device[];
  /** cm-shared-all-big-iqs: the member is this server. */
  hasServer: boolean;
}

function accessGroupNames(view: ResolverView): string[] {
  const names = [...view.accessGroups.map((g) => g.name), ...view.devices.map((d) => d.accessGroup)];
  return [...new Set(names.filter((name): name is string => Boolean(name)))];
}

/**
 * Every device group: the well-known ones, one per access group (configured or named by a device), one per cluster
 * (configured or derived from members, as the kill selector derives them). A name is used once, first one wins.
 */
export function deviceGroups(view: ResolverView): DeviceGroup[] {
  const base = { description: '', autoManageLocalhost: false, hasServer: false };
  const wellKnown: DeviceGroup[] = ALL_BIGIP_GROUPS.map(([groupName, displayName]) => ({
    ...base,
    groupName,
    displayName,
    description: displayName,
    infrastructure: true,
    properties: {},
    members: view.devices,
  }));
  wellKnown.push({
    ...base,
    groupName: ALL_BIG_IQS,
    displayName: 'All BIG-IQ Devices',
    description: 'All BIG-IQ Devices',
    infrastructure: true,
    autoManageLocalhost: true,
    properties: {},
    members: [],
    hasServer: true,
  });
  const descriptions = new Map(view.accessGroups.map((g) => [g.name, g.description]));
  const access = accessGroupNames(view).map((name) => ({
    ...base,
    groupName: name,
    displayName: name,
    description: descriptions.get(name) ?? '',
    infrastructure: false,
    // Strings, as BIG-IQ stores them: clients filter on `'properties/cm:access:access_group' eq 'true'`.
    properties: { 'cm:access:access_group': 'true', 'cm:access:config_group': 'true' },
    members: view.devices.filter((d) => d.accessGroup === name),
  }));
  const groups = [...wellKnown, ...access, ...clusterGroups(view)];
  return groups.filter((group, index) => groups.findIndex((g) => g.groupName === group.groupName) === index);
}

function clusterGroups(view: ResolverView): DeviceGroup[] {
  const derived = clustersOf(view.devices);
  const byId = new Map(view.devices.map((d) => [d.id, d]));
  const names = new Set([...view.clusters.map((c) => c.name), ...derived.keys()]);
  const descriptions = new Map(view.clusters.map((c) => [c.name, c.description]));
  return [...names].map((name) => ({
    groupName: `${CLUSTER_GROUP_PREFIX}${name}`,
    displayName: name,
    description: descriptions.get(name) ?? '',
    infrastructure: true,
    autoManageLocalhost: false,
    properties: { clusterName: name },
    members: (derived.get(name)?.members ?? []).flatMap((id) => byId.get(id) ?? []),
    hasServer: false,
  }));
}

export type DeviceGroupItem = {
  groupName: string;
  displayName: string;
  description: string;
  infrastructure: boolean;
  isViewGroup: boolean;
  autoManageLocalhost: boolean;
  properties: Record<string, string>;
  devicesReference: Reference;
  generation: number;
  lastUpdateMicros: number;
  kind: typeof DEVICE_GROUP_KIND;
  selfLink: string;
};

export function renderDeviceGroup(group: DeviceGroup, view: ResolverView): DeviceGroupItem {
  const selfLink = deviceGroupLink(group.groupName);
  return {
    groupName: group.groupName,
    displayName: group.displayName,
    description: group.description,
    infrastructure: group.infrastructure,
    isViewGroup: false,
    autoManageLocalhost: group.autoManageLocalhost,
    properties: group.properties,
    devicesReference: reference(`${selfLink}/devices`),
    generation: 1,
    lastUpdateMicros: view.nowMicros,
    kind: DEVICE_GROUP_KIND,
    selfLink,
  };
}

/** A group's members as `…/device-groups/<g>/devices` items. */
export function renderGroupMembers(group: DeviceGroup, view: ResolverView): ResolverDeviceItem[] {
  const members = group.members.map((device) => renderResolverDevice(device, view, group.groupName));
  return group.hasServer ? [...members, renderServerDevice(view, group.groupName)] : members;
}

export type AuthorityStatusItem = {
  groupName: string;
  displayName: string;
  description: string;
  deviceCount: number;
  deviceReferences: Reference[];
  devicesReference: Reference;
  groupReference: Reference;
  generation: number;
  lastUpdateMicros: number;
  kind: typeof AUTHORITY_STATUS_KIND;
};

/** mgmt-authority-status: one item per access group (BULK looks a group up by `groupName` before importing). */
export function renderAuthorityStatus(groups: readonly DeviceGroup[], view: ResolverView): AuthorityStatusItem[] {
  return groups
    .filter((group) => group.properties['cm:access:access_group'] === 'true')
    .map((group) => ({
      groupName: group.groupName,
      displayName: group.displayName,
      description: group.description,
      deviceCount: group.members.length,
      deviceReferences: group.members.map((device) => reference(machineIdLink(device.id))),
      devicesReference: reference(`${deviceGroupLink(group.groupName)}/devices`),
      groupReference: reference(deviceGroupLink(group.groupName)),
      generation: 1,
      lastUpdateMicros: view.nowMicros,
      kind: AUTHORITY_STATUS_KIND,
    }));
}
