// Who may do what. Privileges are (object, permission) pairs in the SPS style: `/special/active_sessions` read lets a
// user list and search sessions and view tasks; write lets them kill. Checks fail closed.
//
// Objects are paths. A grant on a path covers everything under it: read on `/api/configuration/aaa` lets a user read
// the users, groups and ACLs below it. Every object a route checks is named here, once.

export type Permission = 'read' | 'write';
export const PERMISSIONS: readonly Permission[] = ['read', 'write'];

/** Objects that guard curfew's own features; configuration objects use their API path (e.g. `/api/configuration/devices`). */
export const ACTIVE_SESSIONS = '/special/active_sessions';
/** Reading the audit log (who did what, when, from where): `GET /api/audit/log`. */
export const AUDIT = '/special/audit';
/**
 * Curfews (keep a user out until a time): read lists them, their caught sessions and every device's prevention state;
 * write sets, extends and lifts them, and lets a kill request carry its "and keep out" curfew.
 */
export const CURFEWS = '/special/curfews';

/** Configuration objects: the API paths of the configuration tree (a grant covers the subtree). */
export const CONFIGURATION = '/api/configuration';
export const AAA = `${CONFIGURATION}/aaa`;
export const AAA_ACLS = `${AAA}/acls`;
export const AAA_LOCAL_DATABASE = `${AAA}/local_database`;
export const AAA_GROUPS = `${AAA_LOCAL_DATABASE}/groups`;
export const AAA_USERS = `${AAA_LOCAL_DATABASE}/users`;
export const AAA_SETTINGS = `${AAA}/settings`;
export const PASSWORDS = `${CONFIGURATION}/passwords`;
export const DEVICES = `${CONFIGURATION}/devices`;
export const CLUSTERS = `${CONFIGURATION}/clusters`;
export const ACCESS_GROUPS = `${CONFIGURATION}/access_groups`;

export interface Principal {
  name: string;
  /** `admin` always has every privilege. */
  isAdmin: boolean;
  /** Granted (object → strongest permission), as of the committed configuration the request saw. */
  grants: ReadonlyMap<string, Permission>;
}

/** `object` and the paths above it, most specific first: `/a/b/c` → `/a/b/c`, `/a/b`, `/a`. */
function selfAndAncestors(object: string): string[] {
  const out = [object];
  for (let cut = object.lastIndexOf('/'); cut > 0; cut = object.lastIndexOf('/', cut - 1))
    out.push(object.slice(0, cut));
  return out;
}

/** Does the principal hold `permission` on `object` (or on a path above it)? write implies read. */
export function isAllowed(principal: Principal, object: string, permission: Permission): boolean {
  if (principal.isAdmin) return true;
  return selfAndAncestors(object).some((path) => {
    const granted = principal.grants.get(path);
    return granted === 'write' || (granted === 'read' && permission === 'read');
  });
}

/** One ACL entry: every member of `group` (a local group name) holds `permission` on each of `objects`. */
export interface AclEntry {
  group: string;
  objects: string[];
  permission: Permission;
}

/** The grants of a member of `groupNames`: the strongest permission per object over the matching ACL entries. */
export function grantsFor(groupNames: Iterable<string>, acls: readonly AclEntry[]): Map<string, Permission> {
  const groups = new Set(groupNames);
  const grants = new Map<string, Permission>();
  for (const entry of acls) {
    if (!groups.has(entry.group)) continue;
    for (const object of entry.objects) {
      if (grants.get(object) !== 'write') grants.set(object, entry.permission);
    }
  }
  return grants;
}
