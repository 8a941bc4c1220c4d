// Clusters and access groups (named, with a description), edited in the transaction. The name is the key: renaming
// is a removal and an addition.
import { useState } from 'preact/hooks';
import { api, type ConfigObject } from '../api.js';
import { ErrorNote } from '../components/pager.js';
import { useAction } from '../use-resource.js';
import type { NamedBody } from './devices.js';

export function NamedList(props: {
  title: string;
  href: string;
  items: ConfigObject<NamedBody>[];
  canWrite: boolean;
  onChanged: () => void;
}) {
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [editing, setEditing] = useState<string | null>(null);
  const action = useAction();
  const id = props.title.toLowerCase().replace(/\W+/g, '-');
  const submit = async (event: Event) => {
    event.preventDefault();
    const body = { name: editing ?? name.trim(), description };
    const write = editing
      ? () => api('PUT', `${props.href}/${encodeURIComponent(editing)}`, body)
      : () => api('POST', props.href, body);
    if (await action.run(write)) {
      setName('');
      setDescription('');
      setEditing(null);
      props.onChanged();
    }
  };
  const remove = (key: string) =>
    action.run(async () => {
      await api('DELETE', `${props.href}/${encodeURIComponent(key)}`);
      props.onChanged();
    });
  return (
    <section class="panel" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{props.title}</h2>
      <ErrorNote error={action.error} />
      <table class="compact">
        <tbody>
          {props.items.map((item) => (
            <tr key={item.key}>
              <th scope="row">{item.body.name}</th>
              <td class="muted">{item.body.description}</td>
              <td class="num">{item.body.members.length} devices</td>
              {props.canWrite && (
                <td class="actions">
                  <button
                    type="button"
                    class="link"
                    onClick={() => {
                      setEditing(item.key);
                      setDescription(item.body.description);
                    }}
                  >
                    Edit<span class="visually-hidden"> {item.body.name}</span>
                  </button>
                  <button type="button" class="link danger-text" onClick={() => remove(item.key)}>
                    Remove<span class="visually-hidden"> {item.body.name}</span>
                  </button>
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
      {props.canWrite && (
        <form class="row" onSubmit={submit}>
          <label for={`${id}-name`}>Name</label>
          <input
            id={`${id}-name`}
            required={editing === null}
            disabled={editing !== null}
            value={editing ?? name}
            onInput={(e) => setName(e.currentTarget.value)}
          />
          <label for={`${id}-description`}>Description</label>
          <input id={`${id}-description`} value={description} onInput={(e) => setDescription(e.currentTarget.value)} />
          <button type="submit" disabled={action.busy}>
            {editing ? 'Save' : 'Add'}
          </button>
          {editing && (
            <button type="button" onClick={() => setEditing(null)}>
              Cancel
            </button>
          )}
        </form>
      )}
    </section>
  );
}
