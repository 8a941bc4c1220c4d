// One HTTPS listener per emulated SPS: reads the request line and credentials, applies the appliance's fault and latency,
// answers via routes.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Server } from 'node:https';
import type { ControlTarget } from '../control.js';
import { createLabServer } from '../fleet-base.js';
import type { SpsDevice } from './device.js';
import { type Reply, resolveRoute, type SpsRequest } from './routes.js';

/** The device's listener: its lab control API and its device paths (routes.ts). */
export function createSpsServer(
  device: SpsDevice,
  tls: { cert: string; key: string },
  password: string,
  control: ControlTarget,
): Server {
  return createLabServer(
    tls,
    control,
    (req, res, path, query) => handle(device, password, req, res, path, query),
    true,
  );
}

const LOGIN_COOKIE = 'session_id';

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
