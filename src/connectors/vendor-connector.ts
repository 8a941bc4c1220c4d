// What differs between device kinds is the login and the session calls; the connection around them is the same.
import type { DeviceKind } from '../core/model.js';
import type {
  Connector,
  ConnectorOptions,
  DeleteReport,
  DeviceConnection,
  DeviceEndpoint,
  DeviceHealth,
  DeviceSession,
} from './connector.js';

/** A vendor driver: opens an authenticated client for a device and runs the session operations through it. */
export interface VendorDriver<Auth> {
  kind: DeviceKind;
  /** Creates the device's client and login; `close` ends the login on the device (if it has one) and the pool. */
  open(endpoint: DeviceEndpoint, options: ConnectorOptions): { auth: Auth; close(): Promise<void> };
  listSessions(auth: Auth): Promise<DeviceSession[]>;
  killSessions(auth: Auth, sessionIds: readonly string[], concurrency: number): Promise<DeleteReport>;
  health(auth: Auth): Promise<DeviceHealth>;
}

export function connectorFor<Auth>(driver: VendorDriver<Auth>): Connector {
  return {
    kind: driver.kind,
    connect(endpoint: DeviceEndpoint, options: ConnectorOptions): DeviceConnection {
      const { auth, close } = driver.open(endpoint, options);
      let closing: Promise<void> | undefined;
      return {
        kind: driver.kind,
        listSessions: () => driver.listSessions(auth),
        killSessions: (sessionIds) => driver.killSessions(auth, sessionIds, options.perDeviceConcurrency),
        health: () => driver.health(auth),
        // Later calls fail as `unreachable`: the pool is closed.
        close: () => {
          closing ??= close();
          return closing;
        },
      };
    },
  };
}
