// Groups (members are users) and the ACL list (which group holds which permission on which objects).
import { useState } from 'preact/hooks';
import { api, OBJECTS } from '../api.js';
import { ErrorNote } from '../components/pager.js';
import { useAction } from '../use-resource.js';
import type { Aaa, AclEntry } from './access.js';

const GROUPS = '/api/configuration/aaa/local_database/groups';

interface GroupDraft {
  key: string | null;
  name: string;
  members: string[];
}

export function GroupsPanel(props: { aaa: Aaa; canWrite: boolean; onChanged: () => void }) {
  const { users, groups } = props.aaa;
  const nameOf = new Map(users.map((u) => [u.key, u.body.name]));
  const [draft, setDraft] = useState<GroupDraft>({ key: null, name: '', members: [] });
  const action = useAction();
  const remove = (key: string) =>
    action.run(() => api('DELETE', `${GROUPS}/${encodeURIComponent(key)}`).then(props.onChanged));
  return (
    <section class="panel" aria-labelledby="groups-title">
      <h2 id="groups-title">Groups ({groups.length})</h2>
      <ErrorNote error={action.error} />
      <table class="compact">
        <tbody>
          {groups.map((group) => (
            <tr key={group.key}>
              <th scope="row">{group.body.name}</th>
              <td>{group.body.members.map((m) => nameOf.get(m.key) ?? m.key).join(', ') || '—'}</td>
              {props.canWrite && (
                <td class="actions">
                  <button
                    type="button"
                    class="link"
                    onClick={() =>
                      setDraft({ key: group.key, name: group.body.name, members: group.body.members.map((m) => m.key) })
                    }
                  >
                    Edit<span class="visually-hidden"> {group.body.name}</span>
                  </button>
                  <button type="button" class="link danger-text" onClick={() => remove(group.key)}>
                    Remove<span class="visually-hidden"> {group.body.name}</span>
                  </button>
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
      {props.canWrite && (
        <GroupForm
          key={draft.key ?? 'new'}
          draft={draft}
          users={users}
          onDone={(saved) => {
            setDraft({ key: null, name: '', members: [] });
            if (saved) props.onChanged();
          }}
        />
      )}
    </section>
  );
}

/** Adds a group, or replaces the one being edited (name and members), in the transaction. */
function GroupForm(props: { draft: GroupDraft; users: Aaa['users']; onDone: (saved: boolean) => void }) {
  const { draft } = props;
  const [name, setName] = useState(draft.name);
  const [members, setMembers] = useState<Set<string>>(new Set(draft.members));
  const action = useAction();
  const submit = async (event: Event) => {
    event.preventDefault();
    const body = { name: name.trim(), members: [...members] };
    const write = draft.key
      ? () => api('PUT', `${GROUPS}/${encodeURIComponent(draft.key ?? '')}`, body)
      : () => api('POST', GROUPS, body);
    if (await action.run(write)) props.onDone(true);
  };
  const toggle = (key: string) => {
    const next = new Set(members);
    if (next.has(key)) next.delete(key);
    else next.add(key);
    setMembers(next);
  };
  return (
    <form onSubmit={submit} aria-label={draft.key ? 'Edit group' : 'Add group'}>
      <ErrorNote error={action.error} />
      <div class="row">
        <label for="group-name">Group name</label>
        <input id="group-name" required value={name} onInput={(e) => setName(e.currentTarget.value)} />
      </div>
      <fieldset>
        <legend>Members</legend>
        {props.users.map((user) => (
          <label class="check" key={user.key}>
            <input type="checkbox" checked={members.has(user.key)} onChange={() => toggle(user.key)} />
            {user.body.name}
          </label>
        ))}
      </fieldset>
      <div class="row">
        <button type="submit" disabled={action.busy}>
          {draft.key ? 'Save group' : 'Add group'}
        </button>
        {draft.key && (
          <button type="button" onClick={() => props.onDone(false)}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}

export function AclPanel(props: { aaa: Aaa; canWrite: boolean; onChanged: () => void }) {
  const { acls, groups } = props.aaa;
  const [group, setGroup] = useState('');
  const [objects, setObjects] = useState('');
  const [permission, setPermission] = useState<AclEntry['permission']>('read');
  const action = useAction();
  // The ACL list is replaced whole (PUT), in the transaction.
  const replace = (next: AclEntry[]) =>
    action.run(async () => {
      await api('PUT', '/api/configuration/aaa/acls', next);
      props.onChanged();
    });
  const add = async (event: Event) => {
    event.preventDefault();
    const list = objects
      .split(',')
      .map((o) => o.trim())
      .filter(Boolean);
    if (await replace([...acls, { group: group || (groups[0]?.body.name ?? ''), objects: list, permission }]))
      setObjects('');
  };
  return (
    <section class="panel" aria-labelledby="acl-title">
      <h2 id="acl-title">Privileges</h2>
      <ErrorNote error={action.error} />
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Group</th>
              <th scope="col">Objects</th>
              <th scope="col">Permission</th>
              {props.canWrite && <th scope="col">Actions</th>}
            </tr>
          </thead>
          <tbody>
            {acls.map((entry, index) => (
              <tr key={`${entry.group}-${entry.permission}-${entry.objects.join()}`}>
                <th scope="row">{entry.group}</th>
                <td>
                  <code>{entry.objects.join(', ')}</code>
                </td>
                <td>{entry.permission}</td>
                {props.canWrite && (
                  <td>
                    <button
                      type="button"
                      class="link danger-text"
                      onClick={() => replace(acls.filter((_, i) => i !== index))}
                    >
                      Remove<span class="visually-hidden"> grant of {entry.group}</span>
                    </button>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {props.canWrite && (
        <form class="row" onSubmit={add}>
          <label for="acl-group">Group</label>
          <select id="acl-group" value={group} onChange={(e) => setGroup(e.currentTarget.value)}>
            {groups.map((g) => (
              <option key={g.key}>{g.body.name}</option>
            ))}
          </select>
          <label for="acl-objects">Objects</label>
          <input
            id="acl-objects"
            required
            list="acl-known-objects"
            placeholder="/special/active_sessions"
            value={objects}
            onInput={(e) => setObjects(e.currentTarget.value)}
          />
          <datalist id="acl-known-objects">
            {Object.values(OBJECTS).map((o) => (
              <option key={o} value={o} />
            ))}
          </datalist>
          <label for="acl-permission">Permission</label>
          <select
            id="acl-permission"
            value={permission}
            onChange={(e) => setPermission(e.currentTarget.value as AclEntry['permission'])}
          >
            <option value="read">read</option>
            <option value="write">write</option>
          </select>
          <button type="submit" disabled={action.busy || groups.length === 0}>
            Grant
          </button>
        </form>
      )}
    </section>
  );
}
