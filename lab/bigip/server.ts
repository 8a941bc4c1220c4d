// One HTTPS listener per emulated device: reads the request, applies the device's fault and latency, answers via routes.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import { type ControlTarget, isLabControlPath, serveControl } from '../control.js';
import type { LabDevice } from './device.js';
import { type LabRequest, type Reply, resolveRoute } from './routes.js';

/** Longer than any client's idle timeout, so the client, not the emulator, decides when to drop a kept-alive connection. */
const KEEP_ALIVE_TIMEOUT_MS = 65_000;
const MAX_BODY_BYTES = 1 << 20;

/**
 * `cert`/`key` are PEM; tls.Server ignores a prebuilt `secureContext`, so each listener builds its own from them.
 * `/lab/…` goes to `control`, the lab control API, before any fault, latency or counter applies.
 */
export function createDeviceServer(
  device: LabDevice,
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
  if (mark < 0) return { path: url, query: new URLSearchParams() };
  return { path: url.slice(0, mark), query: new URLSearchParams(url.slice(mark + 1)) };
}

function handle(
  device: LabDevice,
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
  readBody(req, res, (body) => {
    const request: LabRequest = {
      method,
      path,
      query,
      authToken: headerValue(req.headers['x-f5-auth-token']),
      authorization: req.headers.authorization,
      body,
      remoteAddress: req.socket.remoteAddress ?? '127.0.0.1',
      fault,
    };
    const reply = route.run(device, request, password);
    if (device.latencyMs > 0) setTimeout(send, device.latencyMs, res, reply);
    else send(res, reply);
  });
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function readBody(req: IncomingMessage, res: ServerResponse, onBody: (body: string) => void): void {
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (chunk: string) => {
    body += chunk;
    if (body.length > MAX_BODY_BYTES) {
      send(res, { status: 413, body: '' });
      req.destroy();
    }
  });
  req.on('end', () => onBody(body));
}

function send(res: ServerResponse, reply: Reply): void {
  if (res.destroyed || res.headersSent) return;
  if (reply.body === '') {
    res.writeHead(reply.status, { 'content-length': 0 });
    res.end();
    return;
  }
  res.writeHead(reply.status, {
    'content-type': 'application/json; charset=UTF-8',
    'content-length': Buffer.byteLength(reply.body),
  });
  res.end(reply.body);
}
