// What every emulated fleet shares, whatever the device kind: one HTTPS listener per device on 127.0.0.1 with one
// certificate, fault and latency controls, lookup by id, and a stop that drops every kept-alive connection.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import { createSelfSignedCert } from '../src/http/tls.js';
import type { FaultInjector, LabFault } from './bigip/faults.js';
import { type ControlTarget, isLabControlPath, serveControl } from './control.js';

export const LAB_ADDRESS = '127.0.0.1';

export interface EmulatedDevice {
  readonly identity: { readonly id: string };
  readonly faults: FaultInjector;
  latencyMs: number;
  port: number;
}

export function wholeNumber(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer, got ${value}`);
  return value;
}

/** Longer than any client's idle timeout, so the client, not the emulator, decides when to drop a kept-alive connection. */
const KEEP_ALIVE_TIMEOUT_MS = 65_000;

export type DeviceHandler = (req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams) => void;

/**
 * One device's HTTPS listener: `/lab/…` goes to `control` (the lab control API) before any fault, latency or counter
 * applies; everything else to the device's own handler. `cert`/`key` are PEM: tls.Server ignores a prebuilt
 * `secureContext`, so each listener builds its own. SPS ignores a trailing slash (`trimSlash`), BIG-IP does not.
 */
export function createLabServer(
  tls: { cert: string; key: string },
  control: ControlTarget,
  handle: DeviceHandler,
  trimSlash = false,
): Server {
  const server = createServer({ cert: tls.cert, key: tls.key }, (req, res) => {
    const { path, query } = splitUrl(req.url ?? '/', trimSlash);
    if (isLabControlPath(path)) serveControl(control, req, res, path);
    else handle(req, res, path, query);
  });
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  server.headersTimeout = KEEP_ALIVE_TIMEOUT_MS + 1_000;
  return server;
}

function splitUrl(url: string, trimSlash: boolean): { path: string; query: URLSearchParams } {
  const mark = url.indexOf('?');
  const rawPath = mark < 0 ? url : url.slice(0, mark);
  const path = trimSlash && rawPath.length > 1 && rawPath.endsWith('/') ? rawPath.slice(0, -1) : rawPath;
  return { path, query: new URLSearchParams(mark < 0 ? '' : url.slice(mark + 1)) };
}

/** Listens on `port` (0 = ephemeral) at the lab address; resolves with the bound port. */
export function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, LAB_ADDRESS, () => {
      server.off('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}

/** Closes the listener and drops its kept-alive connections. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/**
 * Starts one listener per device — device n on `basePort + n`, or ephemeral ports when `basePort` is 0 — all with one
 * self-signed certificate; if any fails to listen, every listener is closed again.
 */
export async function listenAll<D extends EmulatedDevice>(
  devices: readonly D[],
  basePort: number,
  createServer: (device: D, tls: { cert: string; key: string }) => Server,
): Promise<{ servers: Server[]; certificate: string }> {
  const tls = await createSelfSignedCert('localhost', [LAB_ADDRESS]);
  const servers = devices.map((device) => createServer(device, tls));
  try {
    await Promise.all(
      servers.map(async (server, index) => {
        const device = devices[index] as D;
        device.port = await listen(server, basePort === 0 ? 0 : basePort + index);
      }),
    );
  } catch (error) {
    await Promise.all(servers.map(closeServer));
    throw error;
  }
  return { servers, certificate: tls.cert };
}

export class FleetBase<D extends EmulatedDevice> {
  protected readonly byId: Map<string, D>;

  protected constructor(
    protected readonly labDevices: D[],
    private readonly servers: Server[],
    readonly password: string,
    /** PEM of the certificate every device presents. */
    readonly certificate: string,
  ) {
    this.byId = new Map(labDevices.map((device) => [device.identity.id, device]));
  }

  setFault(deviceId: string, fault: LabFault, rate = 1): void {
    this.find(deviceId).faults.set(fault, rate);
  }

  /** Latency added to every response of one device, or of all devices when `deviceId` is omitted. */
  setLatency(latencyMs: number, deviceId?: string): void {
    if (!Number.isFinite(latencyMs) || latencyMs < 0) throw new Error(`latency must be >= 0 ms, got ${latencyMs}`);
    for (const device of deviceId === undefined ? this.labDevices : [this.find(deviceId)]) device.latencyMs = latencyMs;
  }

  async stop(): Promise<void> {
    await Promise.all(this.servers.map(closeServer));
  }

  protected find(deviceId: string): D {
    const device = this.byId.get(deviceId);
    if (!device) throw new Error(`no lab device ${deviceId}`);
    return device;
  }
}
