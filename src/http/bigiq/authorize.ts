// Privilege checks on the BIG-IQ surface, answered the way F5's REST framework refuses: 401 "Authorization failed".
import type { FastifyRequest } from 'fastify';
import { isAllowed, type Permission, type Principal } from '../../core/access.js';
import { BigiqError } from './errors.js';

/** Throws the F5 framework's authorization failure unless the caller holds the privilege. */
export function requirePrivilege(request: FastifyRequest, object: string, permission: Permission): Principal {
  const principal = request.principal;
  if (principal && isAllowed(principal, object, permission)) return principal;
  const user = principal ? `https://localhost/mgmt/shared/authz/users/${principal.name}` : 'anonymous';
  throw new BigiqError(
    401,
    `Authorization failed: user=${user} resource=${object} verb=${request.method} uri:${request.url} referrer:${request.ip} sender:${request.ip}`,
  );
}
