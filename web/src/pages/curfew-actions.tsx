// Changing an active curfew: a new end (POST …/extend: a duration from now, a time, or until lifted; earlier is
// allowed) and lifting it now (POST …/lift), each confirmed in a dialog. The server answers 409 once it has ended.
import { useState } from 'preact/hooks';
import { api } from '../api.js';
import { Modal } from '../components/dialog.js';
import { ErrorNote } from '../components/pager.js';
import { dateTime, plural } from '../format.js';
import { useAction } from '../use-resource.js';
import { type CurfewItem, curfewHref, type End, endFields, whoOf } from './curfew-model.js';
import { EndField } from './curfew-set.js';

export type CurfewChange = { kind: 'extend' | 'lift'; curfew: CurfewItem };

export function CurfewChangeDialog(props: { change: CurfewChange; onClose: () => void; onDone: () => void }) {
  const { kind, curfew } = props.change;
  return kind === 'extend' ? (
    <ExtendDialog curfew={curfew} onClose={props.onClose} onDone={props.onDone} />
  ) : (
    <LiftDialog curfew={curfew} onClose={props.onClose} onDone={props.onDone} />
  );
}

function ExtendDialog(props: { curfew: CurfewItem; onClose: () => void; onDone: () => void }) {
  const { body } = props.curfew;
  const [end, setEnd] = useState<End>({ kind: 'duration', duration: '1h' });
  const action = useAction();
  const submit = (event: Event) => {
    event.preventDefault();
    void action
      .run(() => api('POST', `${curfewHref(props.curfew.key)}/extend`, endFields(end, true)))
      .then((ok) => ok && props.onDone());
  };
  return (
    <Modal title={`Extend the curfew on ${whoOf(body.who)}`} onClose={props.onClose}>
      <form onSubmit={submit}>
        <p>
          It ends {body.until === null ? 'when lifted' : `at ${dateTime(body.until)}`}. The new end counts from now and
          may be earlier.
        </p>
        <EndField id="extend-end" end={end} onEnd={setEnd} lifted="only when lifted" />
        <ErrorNote error={action.error} />
        <div class="row end">
          <button type="button" onClick={props.onClose}>
            Cancel
          </button>
          <button type="submit" class="primary" disabled={action.busy}>
            Set the new end
          </button>
        </div>
      </form>
    </Modal>
  );
}

function LiftDialog(props: { curfew: CurfewItem; onClose: () => void; onDone: () => void }) {
  const { body } = props.curfew;
  const action = useAction();
  const lift = () =>
    void action.run(() => api('POST', `${curfewHref(props.curfew.key)}/lift`, {})).then((ok) => ok && props.onDone());
  return (
    <Modal title={`Lift the curfew on ${whoOf(body.who)}`} onClose={props.onClose}>
      <p>
        Lifting ends it now: {whoOf(body.who)} may log in again, and BIG-IPs drop them from their deny list. Its history
        stays, with the {plural(body.violations, 'session')} it caught.
      </p>
      <ErrorNote error={action.error} />
      <div class="row end">
        <button type="button" onClick={props.onClose}>
          Cancel
        </button>
        <button type="button" class="danger" disabled={action.busy} onClick={lift}>
          Lift curfew
        </button>
      </div>
    </Modal>
  );
}
