// What differs between device kinds is the login and the session calls; the connection around them is the same.
import type { DeviceKind } from '../core/model.js';
import type {
  Connector,
  ConnectorOptions,
  DeleteReport,
  DenyList,
  DenyRecord,
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
  /** Only for devices with a deny list an access policy consults; the connection then offers `denyList`. */
  denyList?: {
    read(auth: Auth, path: string): Promise<DenyRecord[] | null>;
    write(auth: Auth, path: string, records: readonly DenyRecord[]): Promise<DenyRecord[]>;
  };
}

function bindDenyList<Auth>(driver: VendorDriver<Auth>, auth: Auth): { denyList?: DenyList } {
  const { denyList } = driver;
  if (!denyList) return {};
  return {
    denyList: {
      read: (path) => denyList.read(auth, path),
      write: (path, records) => denyList.write(auth, path, records),
    },
  };
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
        ...bindDenyList(driver, auth),
        // Later calls fail as `unreachable`: the pool is closed.
        close: () => {
          closing ??= close();
          return closing;
        },
      };
    },
  };
}
