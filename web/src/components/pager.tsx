// Previous / next over server-side pages, with "21–40 of 1,234" when the total is known.
import { count } from '../format.js';

export function Pager(props: {
  offset: number;
  limit: number;
  shown: number;
  total?: number;
  hasNext?: boolean;
  onOffset: (offset: number) => void;
  label: string;
}) {
  const { offset, limit, shown, total } = props;
  const hasNext = props.hasNext ?? (total !== undefined && offset + shown < total);
  const range = shown === 0 ? 'none' : `${count(offset + 1)}–${count(offset + shown)}`;
  return (
    <nav class="pager" aria-label={props.label}>
      <button type="button" disabled={offset === 0} onClick={() => props.onOffset(Math.max(0, offset - limit))}>
        Previous
      </button>
      <span aria-live="polite">
        {range}
        {total !== undefined && ` of ${count(total)}`}
      </span>
      <button type="button" disabled={!hasNext} onClick={() => props.onOffset(offset + limit)}>
        Next
      </button>
    </nav>
  );
}

export function ErrorNote(props: { error: string | undefined }) {
  return props.error ? (
    <p class="error" role="alert">
      {props.error}
    </p>
  ) : null;
}
