// One live connection per device, shared by inventory sync and kill tasks, so tokens and keep-alive sockets stay
// warm: an incident-time kill then costs only the round trips of the kill itself.
import type { Connector, ConnectorOptions, DeviceConnection } from '../connectors/connector.js';
import { ConnectorError } from '../connectors/connector.js';
import type { Device, DeviceKind } from '../core/model.js';
import type { CredentialStore } from '../store/store.js';
import { errorFields, type Logger, silentLogger } from './log.js';

interface Entry {
  fingerprint: string;
  connection: DeviceConnection;
}

export class DeviceConnections {
  readonly #connectors: Partial<Record<DeviceKind, Connector>>;
  readonly #credentials: CredentialStore;
  readonly #options: ConnectorOptions;
  readonly #live = new Map<string, Entry>();
  readonly #log: Logger;

  constructor(
    connectors: Partial<Record<DeviceKind, Connector>>,
    credentials: CredentialStore,
    options: ConnectorOptions,
    log: Logger = silentLogger,
  ) {
    this.#log = log;
    this.#connectors = connectors;
    this.#credentials = credentials;
    this.#options = options;
  }

  /** The device's connection, (re)opened when its address, port, TLS setting or credential changed. */
  async get(device: Device): Promise<DeviceConnection> {
    const fingerprint = [device.kind, device.address, device.port, device.verifyTls, device.credentialRef].join('|');
    const entry = this.#live.get(device.id);
    if (entry && entry.fingerprint === fingerprint) return entry.connection;
    if (entry) await this.drop(device.id);

    const connector = this.#connectors[device.kind];
    if (!connector) throw new ConnectorError('device_error', `no connector for device kind ${device.kind}`);
    const credential = device.credentialRef ? await this.#credentials.findCredential(device.credentialRef) : undefined;
    if (!credential) throw new ConnectorError('auth_failed', `no credential stored for device ${device.hostname}`);
    const connection = connector.connect(
      { id: device.id, address: device.address, port: device.port, verifyTls: device.verifyTls, ...credential },
      this.#options,
    );
    this.#live.set(device.id, { fingerprint, connection });
    return connection;
  }

  /** Closes and forgets a device's connection (device removed or reconfigured). */
  async drop(deviceId: string): Promise<void> {
    const entry = this.#live.get(deviceId);
    this.#live.delete(deviceId);
    // Closing logs out of the device; a device that is down cannot be logged out of, and its token expires by itself.
    await entry?.connection
      .close()
      .catch((err: unknown) =>
        this.#log.debug({ device: deviceId, ...errorFields(err) }, 'closing a connection failed'),
      );
  }

  async closeAll(): Promise<void> {
    const ids = [...this.#live.keys()];
    await Promise.all(ids.map((id) => this.drop(id)));
  }
}
