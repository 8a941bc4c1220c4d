// One Identity SPS connector: lists and kills ongoing sessions over the SPS REST API, following sps-compat.md.
import type { DeviceKind } from '../../core/model.js';
import type {
  Connector,
  ConnectorOptions,
  DeleteReport,
  DeviceConnection,
  DeviceEndpoint,
  DeviceHealth,
  DeviceSession,
} from '../connector.js';
import { CookieAuth } from './auth.js';
import { SpsClient } from './client.js';
import { readHealth } from './health.js';
import { killSessions, listSessions } from './sessions.js';

class SpsConnection implements DeviceConnection {
  readonly kind: DeviceKind = 'sps';
  private readonly client: SpsClient;
  private readonly auth: CookieAuth;
  private closing: Promise<void> | null = null;

  constructor(
    endpoint: DeviceEndpoint,
    private readonly options: ConnectorOptions,
  ) {
    this.client = new SpsClient(endpoint, options);
    this.auth = new CookieAuth(this.client, endpoint);
  }

  listSessions(): Promise<DeviceSession[]> {
    return listSessions(this.auth);
  }

  killSessions(sessionIds: readonly string[]): Promise<DeleteReport> {
    return killSessions(this.auth, sessionIds, this.options.perDeviceConcurrency);
  }

  health(): Promise<DeviceHealth> {
    return readHealth(this.auth);
  }

  /** No device call (SPS has no logout): drops the cookie and closes the pooled connections. */
  close(): Promise<void> {
    this.auth.forget();
    this.closing ??= this.client.close();
    return this.closing;
  }
}

export const spsConnector: Connector = {
  kind: 'sps',
  connect: (endpoint, options) => new SpsConnection(endpoint, options),
};
