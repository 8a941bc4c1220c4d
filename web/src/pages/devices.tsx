// Devices: each gateway's health, last sync, HA role and active sessions, and the fleet's configuration — devices,
// clusters and access groups — changed in this login's transaction, whose pending changes show before the commit.
import { useState } from 'preact/hooks';
import { api, type ConfigObject, can, get, loadCollection, type Me, OBJECTS, withQuery } from '../api.js';
import { ErrorNote } from '../components/pager.js';
import { TransactionPanel } from '../components/transaction.js';
import { ago, count } from '../format.js';
import { useLive } from '../live.js';
import { useAction, useResource } from '../use-resource.js';
import { DeviceForm } from './device-form.js';
import { NamedList } from './fleet-groups.js';

export interface DeviceBody {
  hostname: string;
  address: string;
  port: number;
  kind: 'bigip' | 'sps';
  username: string;
  verify_tls: boolean;
  cluster: { key: string } | null;
  access_group: { key: string } | null;
  state: string;
  failover: string;
  last_sync: number | null;
  last_error: string | null;
}

export interface NamedBody {
  name: string;
  description: string;
  members: { key: string }[];
}

export interface Fleet {
  devices: ConfigObject<DeviceBody>[];
  clusters: ConfigObject<NamedBody>[];
  accessGroups: ConfigObject<NamedBody>[];
  sessions: Map<string, number>;
}

/** Active sessions per device key; empty for a login that may see the fleet but not its sessions. */
async function sessionCounts(): Promise<Map<string, number>> {
  const url = withQuery('/api/audit/sessions/stats', { field: 'device', q: 'active:true', size: 1000 });
  const stats = await get<{ items: { key?: string; count: number }[] }>(url).catch(() => ({ items: [] }));
  return new Map(stats.items.map((item) => [item.key ?? '', item.count]));
}

async function loadFleet(): Promise<Fleet> {
  const [devices, clusters, accessGroups, sessions] = await Promise.all([
    loadCollection<DeviceBody>('/api/configuration/devices'),
    loadCollection<NamedBody>('/api/configuration/clusters'),
    loadCollection<NamedBody>('/api/configuration/access_groups'),
    sessionCounts(),
  ]);
  return { devices, clusters, accessGroups, sessions };
}

export function DevicesPage(props: { me: Me }) {
  const [version, setVersion] = useState(0);
  const changed = () => setVersion((v) => v + 1);
  const fleet = useResource(loadFleet, [version]);
  useLive(['sync'], fleet.reload, 3000);
  const canWrite = can(props.me, OBJECTS.devices, 'write');
  const [editing, setEditing] = useState<ConfigObject<DeviceBody> | 'new' | null>(null);
  const remove = useAction();
  const data = fleet.data;
  return (
    <>
      <h1>Devices</h1>
      <ErrorNote error={fleet.error ?? remove.error} />
      {canWrite && <TransactionPanel version={version} onChanged={changed} />}
      <section class="panel" aria-labelledby="device-list-title">
        <div class="row between">
          <h2 id="device-list-title">Devices ({data?.devices.length ?? 0})</h2>
          {canWrite && (
            <button type="button" class="primary" onClick={() => setEditing('new')}>
              Add device
            </button>
          )}
        </div>
        {editing && data && (
          <DeviceForm
            device={editing === 'new' ? undefined : editing}
            fleet={data}
            onDone={(saved) => {
              setEditing(null);
              if (saved) changed();
            }}
          />
        )}
        <DeviceTable
          fleet={data}
          canWrite={canWrite}
          onEdit={setEditing}
          onRemove={(device) =>
            remove.run(async () => {
              await api('DELETE', `/api/configuration/devices/${encodeURIComponent(device.key)}`);
              changed();
            })
          }
        />
      </section>
      <div class="columns">
        <NamedList
          title="Clusters"
          href="/api/configuration/clusters"
          items={data?.clusters ?? []}
          canWrite={can(props.me, OBJECTS.clusters, 'write')}
          onChanged={changed}
        />
        <NamedList
          title="Access groups"
          href="/api/configuration/access_groups"
          items={data?.accessGroups ?? []}
          canWrite={can(props.me, OBJECTS.accessGroups, 'write')}
          onChanged={changed}
        />
      </div>
    </>
  );
}

interface DeviceTableProps {
  fleet: Fleet | undefined;
  canWrite: boolean;
  onEdit: (device: ConfigObject<DeviceBody>) => void;
  onRemove: (device: ConfigObject<DeviceBody>) => void;
}

function DeviceTable(props: DeviceTableProps) {
  const devices = props.fleet?.devices ?? [];
  return (
    <div class="table-wrap">
      <table>
        <thead>
          <tr>
            <th scope="col">Device</th>
            <th scope="col">Kind</th>
            <th scope="col">Address</th>
            <th scope="col">Cluster</th>
            <th scope="col">Access group</th>
            <th scope="col">Health</th>
            <th scope="col">HA</th>
            <th scope="col">Last sync</th>
            <th scope="col" class="num">
              Sessions
            </th>
            {props.canWrite && <th scope="col">Actions</th>}
          </tr>
        </thead>
        <tbody>
          {devices.map((device) => {
            const d = device.body;
            return (
              <tr key={device.key}>
                <th scope="row">{d.hostname}</th>
                <td>{d.kind === 'sps' ? 'SPS' : 'BIG-IP'}</td>
                <td>
                  {d.address}:{d.port}
                </td>
                <td>{d.cluster?.key ?? '—'}</td>
                <td>{d.access_group?.key ?? '—'}</td>
                <td title={d.last_error ?? undefined}>
                  <span class={`badge state-${d.state}`}>{d.state}</span>
                  {d.last_error && <span class="muted"> {d.last_error}</span>}
                </td>
                <td>{d.failover}</td>
                <td>{ago(d.last_sync)}</td>
                <td class="num">{count(props.fleet?.sessions.get(device.key) ?? 0)}</td>
                {props.canWrite && (
                  <td class="actions">
                    <button type="button" class="link" onClick={() => props.onEdit(device)}>
                      Edit<span class="visually-hidden"> {d.hostname}</span>
                    </button>
                    <button type="button" class="link danger-text" onClick={() => props.onRemove(device)}>
                      Remove<span class="visually-hidden"> {d.hostname}</span>
                    </button>
                  </td>
                )}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
