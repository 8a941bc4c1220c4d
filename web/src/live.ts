// Live updates: one EventSource on /api/events (cookie-authenticated) for the whole console. Pages subscribe to
// event types and refetch what they show, at most once per `everyMs`, so a busy fleet costs a bounded number of
// requests whatever the event rate.
import { useEffect, useRef, useState } from 'preact/hooks';

export type LiveEvent = 'task' | 'targets' | 'sync';

const bus = new EventTarget();
let source: EventSource | undefined;
let connected = false;

function setConnected(value: boolean): void {
  connected = value;
  bus.dispatchEvent(new Event('status'));
}

export function connectLive(): void {
  // A stream the server refused (its login ended) stays CLOSED: a new sign-in opens a new one.
  if (source && source.readyState !== EventSource.CLOSED) return;
  source?.close();
  source = new EventSource('/api/events');
  source.onopen = () => setConnected(true);
  // EventSource reconnects by itself after a dropped stream; it gives up (CLOSED) on a refused one.
  source.onerror = () => setConnected(source?.readyState === EventSource.OPEN);
  for (const type of ['task', 'targets', 'sync'] as const) {
    source.addEventListener(type, (event) => bus.dispatchEvent(new MessageEvent(type, { data: event.data })));
  }
}

export function disconnectLive(): void {
  source?.close();
  source = undefined;
  setConnected(false);
}

export function useLiveStatus(): boolean {
  const [value, setValue] = useState(connected);
  useEffect(() => {
    const update = () => setValue(connected);
    bus.addEventListener('status', update);
    return () => bus.removeEventListener('status', update);
  }, []);
  return value;
}

/** Calls `refresh` after events of the given types, throttled to once per `everyMs` (trailing call included). */
export function useLive(types: readonly LiveEvent[], refresh: (data: unknown) => void, everyMs = 1000): void {
  const latest = useRef(refresh);
  latest.current = refresh;
  const key = types.join(',');
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let lastAt = 0;
    let pending: unknown;
    const fire = () => {
      timer = undefined;
      lastAt = Date.now();
      latest.current(pending);
    };
    const onEvent = (event: Event) => {
      pending = JSON.parse((event as MessageEvent<string>).data) as unknown;
      if (timer === undefined) timer = setTimeout(fire, Math.max(0, lastAt + everyMs - Date.now()));
    };
    const names = key.split(',');
    for (const name of names) bus.addEventListener(name, onEvent);
    return () => {
      for (const name of names) bus.removeEventListener(name, onEvent);
      if (timer !== undefined) clearTimeout(timer);
    };
  }, [key, everyMs]);
}
