// One HTTPS listener per emulated SPS: reads the request line and credentials, applies the appliance's fault and latency,
// answers via routes.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import { type ControlTarget, isLabControlPath, serveControl } from '../control.js';
import type { SpsDevice } from './device.js';
import { type Reply, resolveRoute, type SpsRequest } from './routes.js';

/** Longer than any client's idle timeout, so the client, not the emulator, decides when to drop a kept-alive connection. */
const KEEP_ALIVE_TIMEOUT_MS = 65_000;
const LOGIN_COOKIE = 'session_id';

/**
 * `cert`/`key` are PEM; tls.Server ignores a prebuilt `secureContext`, so each listener builds its own from them.
 * `/lab/…` goes to `control`, the lab control API, before any fault, latency or counter applies.
 */
export function createSpsServer(
  device: SpsDevice,
  tls: { cert: string; key: string },
  password: string,
  control: ControlTarget,
): Server {
  const server = createServer({ cert: tls.cert, key: tls.key }, (req, res) => {
    const { path, query } = splitUrl(req.url ?? '/');
    if (isLabControlPath(path)) serveControl(control, req, res, path);
    else handle(device, password, req, res, path, query);
  });
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  server.headersTimeout = KEEP_ALIVE_TIMEOUT_MS + 1_000;
  return server;
}

function splitUrl(url: string): { path: string; query: URLSearchParams } {
  const mark = url.indexOf('?');
  const rawPath = mark < 0 ? url : url.slice(0, mark);
  const path = rawPath.length > 1 && rawPath.endsWith('/') ? rawPath.slice(0, -1) : rawPath;
  return { path, query: new URLSearchParams(mark < 0 ? '' : url.slice(mark + 1)) };
}

/** The `session_id` cookie; a bare `session_id` header is accepted too (docs/compat/sps.md §1.4). */
function loginIdOf(req: IncomingMessage): string | undefined {
  for (const pair of (req.headers.cookie ?? '').split(';')) {
    const [name, ...value] = pair.trim().split('=');
    if (name === LOGIN_COOKIE) return value.join('=');
  }
  const header = req.headers[LOGIN_COOKIE];
  return Array.isArray(header) ? header[0] : header;
}

function handle(
  device: SpsDevice,
  password: string,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  query: URLSearchParams,
): void {
  const method = req.method ?? 'GET';
  const route = resolveRoute(method, path);
  device.count(route.kind);
  const fault = device.faults.draw();
  if (fault === 'timeout') return; // never answered; stop() destroys the socket
  if (fault === 'reset') {
    req.socket.destroy();
    return;
  }
  // No SPS endpoint emulated here takes a body; draining it keeps the kept-alive connection usable.
  req.resume();
  const request: SpsRequest = {
    method,
    path,
    query,
    loginId: loginIdOf(req),
    authorization: req.headers.authorization,
    fault,
  };
  const reply = route.run(device, request, password);
  if (device.latencyMs > 0) setTimeout(send, device.latencyMs, res, reply);
  else send(res, reply);
}

/**
 * JSON with the headers every SPS answer carries (docs/compat/sps.md §1.8), plus the route's own (Set-Cookie,
 * Allow).
 */
function send(res: ServerResponse, reply: Reply): void {
  if (res.destroyed || res.headersSent) return;
  res.writeHead(reply.status, {
    ...reply.headers,
    'content-type': 'application/json',
    'content-language': 'en',
    'content-length': Buffer.byteLength(reply.body),
  });
  res.end(reply.body);
}
