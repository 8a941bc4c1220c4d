// One HTTPS listener per emulated device: reads the request, applies the device's fault and latency, answers via routes.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Server } from 'node:https';
import type { ControlTarget } from '../control.js';
import { createLabServer } from '../fleet-base.js';
import type { LabDevice } from './device.js';
import { type LabRequest, type Reply, resolveRoute } from './routes.js';

const MAX_BODY_BYTES = 1 << 20;

/** The device's listener: its lab control API and its device paths (routes.ts). */
export function createDeviceServer(
  device: LabDevice,
  tls: { cert: string; key: string },
  password: string,
  control: ControlTarget,
): Server {
  return createLabServer(tls, control, (req, res, path, query) => handle(device, password, req, res, path, query));
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
