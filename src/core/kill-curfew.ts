// "Kill now and keep out": a kill request may carry `"curfew": {duration | until, reason, mode?}` (curfew's extension on
// both surfaces). It becomes a curfew on the kill's user over the kill's scopes, set in the same request; a body that
// cannot make a valid curfew refuses the whole request, before anything is killed.
import { type CurfewInput, parseCurfewInput } from './curfew.js';
import { DomainError } from './errors.js';
import type { KillSelector } from './model.js';

const FIELDS = new Set(['duration', 'until', 'reason', 'mode']);

const invalid = (message: string) => new DomainError('invalid', 'CURFEW_REQUEST', message);

/** The curfew a kill request body asks for with its kill, or undefined when it asks for none. */
export function parseKillCurfew(body: unknown, selector: KillSelector, now: number): CurfewInput | undefined {
  const field = (body as Record<string, unknown> | null)?.curfew;
  if (field === undefined || field === null) return undefined;
  if (typeof field !== 'object' || Array.isArray(field)) {
    throw invalid('curfew must be an object: {"duration": "PT2H", "reason": "…"} (or "until" instead of "duration").');
  }
  if (selector.action !== 'KILL_BY_USER' || selector.userName === undefined) {
    throw invalid("curfew applies to KILL_BY_USER only: it keeps that user out of the kill's scopes.");
  }
  const unknown = Object.keys(field).filter((key) => !FIELDS.has(key));
  if (unknown.length > 0)
    throw invalid(`unknown curfew field(s): ${unknown.join(', ')}; known: ${[...FIELDS].join(', ')}.`);
  return parseCurfewInput(
    {
      ...field,
      users: [selector.userName],
      ...(selector.all ? { fleet: true } : {}),
      accessGroups: selector.accessGroupNames,
      clusters: selector.clusterNames,
      devices: selector.deviceIds,
    },
    now,
  );
}
