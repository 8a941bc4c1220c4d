// Pending changes over committed state (the overlay), and the integrity rules every state must keep: unique names,
// and references (group members, ACL groups, device clusters and access groups) that resolve.
import type { AclEntry } from '../../core/access.js';
import type { ConfigChange } from '../../store/store.js';
import {
  type CollectionName,
  type ConfigObject,
  type ConfigState,
  cloneState,
  collectionOf,
  type DeviceConfig,
  NOUNS,
  targetOf,
} from './config-model.js';

/** Applies one change in place; a change to an unknown path is ignored (it cannot have been accepted). */
export function applyChange(state: ConfigState, change: ConfigChange): void {
  const target = targetOf(change.path);
  if (!target) return;
  if (target.collection === 'acls') {
    state.acls = structuredClone(change.new_value as AclEntry[]);
    return;
  }
  const objects = collectionOf(state, target.collection);
  if (change.type === 'delete') objects.delete(target.key);
  else objects.set(target.key, structuredClone(change.new_value as ConfigObject));
}

/** The committed state with a transaction's changes on top (a copy; `base` is not touched). */
export function overlay(base: ConfigState, changes: readonly ConfigChange[]): ConfigState {
  const state = cloneState(base);
  for (const change of changes) applyChange(state, change);
  return state;
}

function duplicates(values: Iterable<string>): string[] {
  const seen = new Set<string>();
  const twice = new Set<string>();
  for (const value of values) (seen.has(value) ? twice : seen).add(value);
  return [...twice];
}

function uniqueNameErrors(state: ConfigState): string[] {
  const errors: string[] = [];
  const names = (collection: CollectionName, field: 'name' | 'hostname') =>
    [...collectionOf(state, collection).values()].map((o) => (o as unknown as Record<string, string>)[field] ?? '');
  for (const name of duplicates(names('users', 'name'))) errors.push(`There is already a user named "${name}".`);
  for (const name of duplicates(names('groups', 'name'))) errors.push(`There is already a group named "${name}".`);
  for (const host of duplicates(names('devices', 'hostname'))) {
    errors.push(`There is already a device with hostname "${host}".`);
  }
  return errors;
}

function deviceReferenceErrors(state: ConfigState): string[] {
  const errors: string[] = [];
  const check = (device: DeviceConfig, field: 'cluster' | 'access_group', collection: CollectionName) => {
    const name = device[field];
    if (name !== null && !collectionOf(state, collection).has(name)) {
      errors.push(
        `Device "${device.hostname}" refers to ${NOUNS[collection]} "${name}", which does not exist: create it, or change the device first.`,
      );
    }
  };
  for (const device of state.devices.values()) {
    check(device, 'cluster', 'clusters');
    check(device, 'access_group', 'access_groups');
  }
  return errors;
}

/** Everything wrong with a state, one sentence each. */
export function integrityErrors(state: ConfigState): string[] {
  const errors = uniqueNameErrors(state);
  for (const group of state.groups.values()) {
    for (const member of group.members) {
      if (!state.users.has(member)) {
        errors.push(
          `Group "${group.name}" lists user key "${member}", which is not a user: refer to existing users by their key.`,
        );
      }
    }
  }
  const groupNames = new Set([...state.groups.values()].map((g) => g.name));
  state.acls.forEach((entry, index) => {
    if (!groupNames.has(entry.group)) {
      errors.push(`ACL entry #${index + 1} refers to group "${entry.group}", which does not exist.`);
    }
  });
  return [...errors, ...deviceReferenceErrors(state)];
}

/** What is wrong with `next` that was not already wrong with `base` (old inconsistencies do not block new work). */
export function newIntegrityErrors(base: ConfigState, next: ConfigState): string[] {
  const known = new Set(integrityErrors(base));
  return integrityErrors(next).filter((e) => !known.has(e));
}

/**
 * Adds a change to a transaction's list. A later change to the same path folds into the earlier one, so the list has
 * one entry per path: create+replace → create, create+delete → nothing, replace+delete → delete, delete+create → replace.
 */
export function foldChange(changes: readonly ConfigChange[], change: ConfigChange): ConfigChange[] {
  const at = changes.findIndex((c) => c.path === change.path);
  if (at < 0) return [...changes, change];
  const earlier = changes[at] as ConfigChange;
  const rest = changes.filter((_, i) => i !== at);
  let type: ConfigChange['type'] = change.type;
  if (earlier.type === 'create') {
    if (change.type === 'delete') return rest;
    type = 'create';
  } else if (earlier.type === 'delete' && change.type === 'create') {
    type = 'replace';
  }
  const folded: ConfigChange = { type, path: change.path, old_value: earlier.old_value, new_value: change.new_value };
  return [...changes.slice(0, at), folded, ...changes.slice(at + 1)];
}
