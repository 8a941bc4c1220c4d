// The pending configuration changes of this login's transaction, shown before they are committed: what will be
// created, replaced or deleted. Commit applies them all at once (devices are synced at commit); roll back drops them.
import { useState } from 'preact/hooks';
import { ApiError, api, get } from '../api.js';
import { useAction, useResource } from '../use-resource.js';
import { ErrorNote } from './pager.js';

interface Change {
  type: 'create' | 'replace' | 'delete';
  path: string;
  new_value: unknown;
}

async function pendingChanges(): Promise<Change[]> {
  try {
    return (await get<{ changes: Change[] }>('/api/transaction/changes')).changes;
  } catch (err) {
    if (err instanceof ApiError && err.type === 'NoTransaction') return [];
    throw err;
  }
}

/** A change's new value in one line; password references are keys, never secrets. */
function summary(change: Change): string {
  if (change.type === 'delete') return '';
  const text = JSON.stringify(change.new_value);
  return text.length > 160 ? `${text.slice(0, 157)}…` : text;
}

export function TransactionPanel(props: { version: number; onChanged: () => void }) {
  const changes = useResource(pendingChanges, [props.version]);
  const action = useAction();
  const [message, setMessage] = useState('');
  const list = changes.data ?? [];
  const commit = async () => {
    const ok = await action.run(() => api('PUT', '/api/transaction', { status: 'commit', commit_message: message }));
    if (ok) setMessage('');
    props.onChanged();
  };
  const rollback = async () => {
    await action.run(() => api('DELETE', '/api/transaction'));
    props.onChanged();
  };
  return (
    <section class="panel transaction" aria-labelledby="pending-title">
      <h2 id="pending-title">Pending changes ({list.length})</h2>
      <ErrorNote error={changes.error ?? action.error} />
      {list.length === 0 ? (
        <p class="muted">No pending changes. Changes you make here wait in your transaction until you commit them.</p>
      ) : (
        <>
          <ol class="changes">
            {list.map((change, index) => (
              <li key={`${index}-${change.path}`}>
                <span class={`badge ${change.type}`}>{change.type}</span> <code>{change.path}</code>{' '}
                <span class="muted">{summary(change)}</span>
              </li>
            ))}
          </ol>
          <div class="row">
            <label for="commit-message">Commit message</label>
            <input id="commit-message" value={message} onInput={(e) => setMessage(e.currentTarget.value)} />
            <button type="button" class="primary" disabled={action.busy} onClick={commit}>
              Commit {list.length} {list.length === 1 ? 'change' : 'changes'}
            </button>
            <button type="button" disabled={action.busy} onClick={rollback}>
              Roll back
            </button>
          </div>
        </>
      )}
    </section>
  );
}
