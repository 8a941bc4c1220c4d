// Display helpers: times in the viewer's locale, durations and counts compact.

const number = new Intl.NumberFormat();
export const count = (n: number): string => number.format(n);

export function dateTime(value: string | number | null | undefined): string {
  if (value === null || value === undefined || value === '') return '—';
  const date = new Date(typeof value === 'number' ? value * 1000 : value);
  return Number.isNaN(date.getTime()) ? String(value) : date.toLocaleString();
}

/** Seconds as `2d 3h`, `4h 05m`, `12m 30s` or `45s`. */
export function duration(seconds: number): string {
  const d = Math.floor(seconds / 86_400);
  const h = Math.floor((seconds % 86_400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = Math.floor(seconds % 60);
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${String(m).padStart(2, '0')}m`;
  if (m > 0) return `${m}m ${String(s).padStart(2, '0')}s`;
  return `${s}s`;
}

/** Epoch seconds as "12s ago" (device last sync). */
export function ago(epochSeconds: number | null): string {
  if (epochSeconds === null) return 'never';
  return `${duration(Math.max(0, Date.now() / 1000 - epochSeconds))} ago`;
}

const TOOLTIP_MAX = 2000;

/**
 * Text for a table cell that may hold anything a client sent: cut to `max` characters (ending with …), with the
 * longer text, itself bounded, as the tooltip. Keeps one huge value from making a page unusable.
 */
export function clip(value: string, max: number): { text: string; title: string | undefined } {
  if (value.length <= max) return { text: value, title: undefined };
  const tooltip = value.length > TOOLTIP_MAX ? `${value.slice(0, TOOLTIP_MAX - 1)}…` : value;
  return { text: `${value.slice(0, max - 1)}…`, title: tooltip };
}

export const plural = (n: number, one: string, many = `${one}s`): string => `${count(n)} ${n === 1 ? one : many}`;
