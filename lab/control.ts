// The lab control API under `/lab/…`, on every emulated device's own listener: tests and demos log users in, read the
// device's truth and set faults over HTTPS, from another process. No real device has a `/lab` path, so it never
// shadows one. Control requests skip the injected faults, latency and request counters, and only loopback peers get in.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BlockList, isIP, isIPv4 } from 'node:net';
import { FULL_PATH } from './bigip/data-groups.js';
import type { FaultInjector, LabFault } from './bigip/faults.js';
import { LAB_FAULTS } from './bigip/faults.js';

export const LAB_CONTROL_PREFIX = '/lab';
const MAX_BODY_BYTES = 64 * 1024;
const MAX_LATENCY_MS = 600_000;

export interface ControlSession {
  sessionId: string;
  user: string;
  clientIp: string;
}

export interface NewControlSession {
  user: string;
  /** Absent: the device picks a synthetic one. */
  clientIp?: string;
  /** Absent: the device picks a fresh id of its own form. */
  sessionId?: string;
}

/** The emulated access policy's deny check (docs/lab.md, `/lab/policy`). */
export interface ControlPolicy {
  installed: boolean;
  /** Full path of the internal data group the policy consults, `/<partition>/<name>`. */
  dataGroup: string;
}

/** What the control API needs of one emulated device, whatever its kind. */
export interface ControlTarget {
  /** Where the device keeps its fault and latency settings. */
  readonly device: { readonly faults: FaultInjector; latencyMs: number };
  /**
   * Returns the new session's id; throws ControlError for an id of the wrong form (400), in use (409), or a user the
   * access policy refuses (401).
   */
  addSession(session: NewControlSession): string;
  /** The sessions the device itself lists right now. */
  sessions(): ControlSession[];
  /** Only devices whose access policy consults a data group (BIG-IP); absent on SPS. */
  policy?: { get(): ControlPolicy; set(policy: ControlPolicy): void };
}

export class ControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** The answer's body when it is not the usual `{"error": message}`. */
    readonly body?: unknown,
  ) {
    super(message);
  }
}

const loopback = new BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');

/** True for 127.0.0.0/8 and ::1, also written IPv4-mapped (`::ffff:127.0.0.1`); false for anything unparsable. */
export function isLoopback(address: string | undefined): boolean {
  if (!address || isIP(address) === 0) return false;
  return loopback.check(address, isIPv4(address) ? 'ipv4' : 'ipv6');
}

export function isLabControlPath(path: string): boolean {
  return path === LAB_CONTROL_PREFIX || path.startsWith(`${LAB_CONTROL_PREFIX}/`);
}

interface Answer {
  status: number;
  body: unknown;
  allow?: string;
}

type Handler = (target: ControlTarget, body: string) => Answer;

const ok = (body: unknown): Answer => ({ status: 200, body });

/** The body as a JSON object with only the `allowed` keys. */
function jsonObject(body: string, allowed: readonly string[]): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new ControlError(400, 'the body must be JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ControlError(400, 'the body must be a JSON object');
  }
  const unknown = Object.keys(parsed).filter((key) => !allowed.includes(key));
  if (unknown.length > 0)
    throw new ControlError(400, `unknown keys ${unknown.join(', ')}; allowed: ${allowed.join(', ')}`);
  return parsed as Record<string, unknown>;
}

function optionalString(value: unknown, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') throw new ControlError(400, `${name} must be a non-empty string`);
  return value;
}

function addSession(target: ControlTarget, body: string): Answer {
  const fields = jsonObject(body, ['user', 'clientIp', 'sessionId']);
  const user = optionalString(fields.user, 'user');
  if (user === undefined) throw new ControlError(400, 'user is required');
  const clientIp = optionalString(fields.clientIp, 'clientIp');
  if (clientIp !== undefined && isIP(clientIp) === 0) throw new ControlError(400, 'clientIp must be an IP address');
  const sessionId = optionalString(fields.sessionId, 'sessionId');
  return { status: 201, body: { sessionId: target.addSession({ user, clientIp, sessionId }) } };
}

function listSessions(target: ControlTarget): Answer {
  const items = target.sessions().map(({ sessionId, user, clientIp }) => ({ sessionId, user, clientIp }));
  return ok({ items });
}

function faultSetting(target: ControlTarget): Answer {
  return ok(target.device.faults.current());
}

function setFault(target: ControlTarget, body: string): Answer {
  const fields = jsonObject(body, ['fault', 'rate', 'seed']);
  const { fault, rate = 1, seed } = fields;
  if (typeof fault !== 'string' || !LAB_FAULTS.includes(fault as LabFault)) {
    throw new ControlError(400, `fault must be one of ${LAB_FAULTS.join(', ')}`);
  }
  if (typeof rate !== 'number' || !(rate >= 0 && rate <= 1)) throw new ControlError(400, 'rate must be a number 0..1');
  if (seed !== undefined && !Number.isSafeInteger(seed)) throw new ControlError(400, 'seed must be an integer');
  target.device.faults.set(fault as LabFault, rate, seed as number | undefined);
  return faultSetting(target);
}

function clearFault(target: ControlTarget): Answer {
  target.device.faults.set('none');
  return faultSetting(target);
}

function setLatency(target: ControlTarget, body: string): Answer {
  const { ms } = jsonObject(body, ['ms']);
  if (typeof ms !== 'number' || !(ms >= 0 && ms <= MAX_LATENCY_MS)) {
    throw new ControlError(400, `ms must be a number 0..${MAX_LATENCY_MS}`);
  }
  target.device.latencyMs = ms;
  return ok({ ms });
}

function policyOf(target: ControlTarget): NonNullable<ControlTarget['policy']> {
  if (!target.policy) throw new ControlError(404, 'this device has no access policy data group (BIG-IP only)');
  return target.policy;
}

/** Either key may be left out to keep its value. */
function setPolicy(target: ControlTarget, body: string): Answer {
  const policy = policyOf(target);
  const { installed, dataGroup } = jsonObject(body, ['installed', 'dataGroup']);
  if (installed !== undefined && typeof installed !== 'boolean')
    throw new ControlError(400, 'installed must be a boolean');
  if (dataGroup !== undefined && (typeof dataGroup !== 'string' || !FULL_PATH.test(dataGroup))) {
    throw new ControlError(400, 'dataGroup must be a full path /<partition>/<name>');
  }
  const current = policy.get();
  policy.set({ installed: installed ?? current.installed, dataGroup: dataGroup ?? current.dataGroup });
  return ok(policy.get());
}

const ROUTES = new Map<string, Partial<Record<string, Handler>>>([
  ['/lab/sessions', { GET: listSessions, POST: addSession }],
  ['/lab/faults', { GET: faultSetting, POST: setFault, DELETE: clearFault }],
  ['/lab/latency', { GET: (target) => ok({ ms: target.device.latencyMs }), POST: setLatency }],
  ['/lab/policy', { GET: (target) => ok(policyOf(target).get()), PUT: setPolicy }],
]);

/** Answers one control request (path without query); pure over the target, so it is testable without a socket. */
export function answerControl(target: ControlTarget, method: string, path: string, body: string): Answer {
  const methods = ROUTES.get(path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path);
  if (!methods) return { status: 404, body: { error: `no lab endpoint ${path}; see docs/lab.md` } };
  const handler = methods[method];
  const allow = Object.keys(methods).join(', ');
  if (!handler) return { status: 405, body: { error: `${method} is not allowed on ${path}` }, allow };
  try {
    return handler(target, body);
  } catch (error) {
    if (error instanceof ControlError) return { status: error.status, body: error.body ?? { error: error.message } };
    throw error;
  }
}

/** Serves a `/lab/…` request on a device listener: loopback peers only, body read here, JSON out. */
export function serveControl(target: ControlTarget, req: IncomingMessage, res: ServerResponse, path: string): void {
  if (!isLoopback(req.socket.remoteAddress)) {
    req.resume();
    send(res, { status: 403, body: { error: 'the lab control API answers loopback peers only' } });
    return;
  }
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (chunk: string) => {
    body += chunk;
    if (body.length > MAX_BODY_BYTES) {
      send(res, { status: 413, body: { error: 'body too large' } });
      req.destroy();
    }
  });
  req.on('end', () => send(res, answerControl(target, req.method ?? 'GET', path, body)));
}

function send(res: ServerResponse, answer: Answer): void {
  if (res.destroyed || res.headersSent) return;
  const text = JSON.stringify(answer.body);
  res.writeHead(answer.status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...(answer.allow !== undefined && { allow: answer.allow }),
  });
  res.end(text);
}
