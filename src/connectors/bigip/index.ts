// BIG-IP APM connector: lists and kills access sessions over iControl REST, following bigip-device.md.
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
import { TokenAuth } from './auth.js';
import { BigipClient } from './client.js';
import { readHealth } from './health.js';
import { killSessions, listSessions } from './sessions.js';

class BigipConnection implements DeviceConnection {
  readonly kind: DeviceKind = 'bigip';
  private readonly client: BigipClient;
  private readonly auth: TokenAuth;
  private closing: Promise<void> | null = null;

  constructor(
    endpoint: DeviceEndpoint,
    private readonly options: ConnectorOptions,
  ) {
    this.client = new BigipClient(endpoint, options);
    this.auth = new TokenAuth(this.client, endpoint);
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

  /** Deletes the login token, then closes the pooled connections; later calls fail as `unreachable`. */
  close(): Promise<void> {
    this.closing ??= this.auth.logout().then(() => this.client.close());
    return this.closing;
  }
}

export const bigipConnector: Connector = {
  kind: 'bigip',
  connect: (endpoint, options) => new BigipConnection(endpoint, options),
};
