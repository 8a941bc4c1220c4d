// Users, groups and privileges (the SPS AAA tree), changed in this login's transaction like the fleet. Privileges
// are (object, read|write) grants to groups; a commit applies them to every user's next request.
import { useState } from 'preact/hooks';
import { api, type ConfigObject, can, get, loadCollection, type Me, OBJECTS } from '../api.js';
import { ErrorNote } from '../components/pager.js';
import { TransactionPanel } from '../components/transaction.js';
import { dateTime } from '../format.js';
import { useAction, useResource } from '../use-resource.js';
import { AclPanel, GroupsPanel } from './access-groups.js';

/** The server's rule for local users (src/core/passwords.ts); the server refuses shorter ones anyway. */
const MIN_PASSWORD_LENGTH = 12;

export interface UserBody {
  name: string;
  password_created: number | null;
}

export interface GroupBody {
  name: string;
  members: { key: string }[];
}

export interface AclEntry {
  group: string;
  objects: string[];
  permission: 'read' | 'write';
}

export interface Aaa {
  users: ConfigObject<UserBody>[];
  groups: ConfigObject<GroupBody>[];
  acls: AclEntry[];
}

const AAA = '/api/configuration/aaa';

async function loadAaa(): Promise<Aaa> {
  const [users, groups, acls] = await Promise.all([
    loadCollection<UserBody>(`${AAA}/local_database/users`),
    loadCollection<GroupBody>(`${AAA}/local_database/groups`),
    get<{ body: AclEntry[] }>(`${AAA}/acls`),
  ]);
  return { users, groups, acls: acls.body };
}

export function AccessPage(props: { me: Me }) {
  const [version, setVersion] = useState(0);
  const changed = () => setVersion((v) => v + 1);
  const aaa = useResource(loadAaa, [version]);
  const canWrite = can(props.me, OBJECTS.aaa, 'write');
  return (
    <>
      <h1>Users &amp; privileges</h1>
      <ErrorNote error={aaa.error} />
      {canWrite && <TransactionPanel version={version} onChanged={changed} />}
      {aaa.data && (
        <div class="columns">
          <UsersPanel users={aaa.data.users} canWrite={canWrite} onChanged={changed} />
          <GroupsPanel aaa={aaa.data} canWrite={canWrite} onChanged={changed} />
        </div>
      )}
      {aaa.data && <AclPanel aaa={aaa.data} canWrite={canWrite} onChanged={changed} />}
    </>
  );
}

function UsersPanel(props: { users: ConfigObject<UserBody>[]; canWrite: boolean; onChanged: () => void }) {
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const action = useAction();
  const add = async (event: Event) => {
    event.preventDefault();
    const ok = await action.run(async () => {
      const secret = await api<{ key: string }>('POST', '/api/configuration/passwords', { plain: password });
      await api('POST', `${AAA}/local_database/users`, { name: name.trim(), password: secret.key });
    });
    if (ok) {
      setName('');
      setPassword('');
      props.onChanged();
    }
  };
  const remove = (key: string) =>
    action.run(async () => {
      await api('DELETE', `${AAA}/local_database/users/${encodeURIComponent(key)}`);
      props.onChanged();
    });
  return (
    <section class="panel" aria-labelledby="users-title">
      <h2 id="users-title">Users ({props.users.length})</h2>
      <ErrorNote error={action.error} />
      <table class="compact">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Password set</th>
            {props.canWrite && <th scope="col">Actions</th>}
          </tr>
        </thead>
        <tbody>
          {props.users.map((user) => (
            <tr key={user.key}>
              <th scope="row">{user.body.name}</th>
              <td>{dateTime(user.body.password_created)}</td>
              {props.canWrite && (
                <td>
                  {user.body.name !== 'admin' && (
                    <button type="button" class="link danger-text" onClick={() => remove(user.key)}>
                      Remove<span class="visually-hidden"> {user.body.name}</span>
                    </button>
                  )}
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
      {props.canWrite && (
        <form class="row" onSubmit={add}>
          <label for="user-name">Name</label>
          <input id="user-name" required value={name} onInput={(e) => setName(e.currentTarget.value)} />
          <label for="user-password">Password</label>
          <input
            id="user-password"
            type="password"
            autocomplete="new-password"
            required
            minLength={MIN_PASSWORD_LENGTH}
            placeholder={`${MIN_PASSWORD_LENGTH} characters or more`}
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
          />
          <button type="submit" disabled={action.busy}>
            Add user
          </button>
        </form>
      )}
    </section>
  );
}
