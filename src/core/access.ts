// Who may do what. Privileges are (object, permission) pairs in the SPS style: `/special/active_sessions` read lets a
// user list and search sessions and view tasks; write lets them kill. Checks fail closed.

export type Permission = 'read' | 'write';

/** Objects that guard curfew's own features; configuration objects use their API path (e.g. `/api/configuration/devices`). */
export const ACTIVE_SESSIONS = '/special/active_sessions';

export interface Principal {
  name: string;
  /** `admin` always has every privilege. */
  isAdmin: boolean;
  /** Granted (object → strongest permission), fixed at login: privileges apply from the next login, as in SPS. */
  grants: ReadonlyMap<string, Permission>;
}

export function adminPrincipal(name = 'admin'): Principal {
  return { name, isAdmin: true, grants: new Map() };
}

/** Does the principal hold `permission` on `object`? write implies read. */
export function isAllowed(principal: Principal, object: string, permission: Permission): boolean {
  if (principal.isAdmin) return true;
  const granted = principal.grants.get(object);
  return granted === 'write' || (granted === 'read' && permission === 'read');
}
