// Rendered answers of session searches and counts (GET /api/audit/sessions, its CSV, …/stats), kept under the
// inventory generation they were read at (SessionService.generation). A search repeated while the inventory did not
// change costs the generation (kept in memory for up to 200 ms per node, src/store/kysely/inventory-generation.ts) and
// a map lookup instead of a query and a render: dashboards and consoles polling the same search.
//
// - Correctness: every change a search can see moves the generation in the transaction that makes it, and an answer is
//   only kept under the generation read before its query ran, so it is at least as new as that generation. A change
//   committed on this node is seen by the next search; one committed on another node within 200 ms.
// - Only the newest generation's answers are kept: a search that reads another generation empties the cache.
// - Two things in a page move without the generation: `duration` (an active session's grows with the clock) and
//   `last_seen_time` (every sync refreshes it, changed or not). A page showing either is kept at most
//   CLOCK_PAGE_MAX_AGE_MS, so those values are at most that old. `meta.remaining_seconds` is per login and per
//   request: it is spliced into every answer, never kept.
// - Bounded: MAX_ENTRIES answers and MAX_CHARS characters in all, least recently used out first; an answer longer than
//   MAX_ENTRY_CHARS is not kept.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppDeps } from '../app.js';

export const SEARCH_CACHE_LIMITS = {
  maxEntries: 256,
  /** ~32 MB: serialized answers are ASCII but for user names and the like. */
  maxChars: 32 * 1024 * 1024,
  maxEntryChars: 2 * 1024 * 1024,
  clockPageMaxAgeMs: 1000,
} as const;

export type SearchCacheLimits = { [K in keyof typeof SEARCH_CACHE_LIMITS]: number };

const JSON_TYPE = 'application/json; charset=utf-8';

/** An answer as kept: CSV whole; JSON without its last two characters (`}}`, the end of `meta` and of the body). */
interface Answer {
  readonly type: 'json' | 'csv';
  readonly text: string;
}

interface Entry extends Answer {
  /** Date.now() after which the entry is not served; Infinity while the generation holds. */
  readonly until: number;
}

export class SearchCache {
  readonly #limits: SearchCacheLimits;
  readonly #now: () => number;
  #generation = Number.NaN;
  readonly #entries = new Map<string, Entry>();
  #chars = 0;

  constructor(limits: SearchCacheLimits = SEARCH_CACHE_LIMITS, now: () => number = Date.now) {
    this.#limits = limits;
    this.#now = now;
  }

  /** The answer kept for `key` under `generation`, if any (and not too old). */
  get(generation: number, key: string): Answer | undefined {
    if (generation !== this.#generation) {
      this.#clear();
      this.#generation = generation;
      return undefined;
    }
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    this.#entries.delete(key);
    if (entry.until <= this.#now()) {
      this.#chars -= entry.text.length;
      return undefined;
    }
    this.#entries.set(key, entry);
    return entry;
  }

  /**
   * Keeps an answer read under `generation` (read before the query ran); ignored when the cache has moved to another
   * generation meanwhile. `clock`: the answer shows values that move without the generation (see above).
   */
  set(generation: number, key: string, answer: Answer, clock: boolean): void {
    if (generation !== this.#generation || answer.text.length > this.#limits.maxEntryChars) return;
    const old = this.#entries.get(key);
    if (old) {
      this.#entries.delete(key);
      this.#chars -= old.text.length;
    }
    const until = clock ? this.#now() + this.#limits.clockPageMaxAgeMs : Number.POSITIVE_INFINITY;
    this.#entries.set(key, { ...answer, until });
    this.#chars += answer.text.length;
    for (const [oldest, entry] of this.#entries) {
      if (this.#entries.size <= this.#limits.maxEntries && this.#chars <= this.#limits.maxChars) break;
      this.#entries.delete(oldest);
      this.#chars -= entry.text.length;
    }
  }

  get size(): number {
    return this.#entries.size;
  }

  #clear(): void {
    this.#entries.clear();
    this.#chars = 0;
  }
}

/**
 * A JSON body as the SPS surface answers it, from `payload` (whose last member is `meta`, without remaining_seconds),
 * serialized with the route's response schema: the same bytes the preSerialization hook and the serializer would give.
 */
export function jsonAnswer<T extends { meta: object }>(reply: FastifyReply, payload: T): Answer {
  const text = reply.serialize(payload) as string;
  if (!text.endsWith('}}')) throw new Error('an SPS body must end with its meta');
  return { type: 'json', text: text.slice(0, -2) };
}

export function csvAnswer(text: string): Answer {
  return { type: 'csv', text };
}

/** Sends a kept (or just made) answer, with this request's `meta.remaining_seconds` (plugin.ts) spliced into JSON. */
export function sendAnswer(
  deps: Pick<AppDeps, 'loginSessions'>,
  request: FastifyRequest,
  reply: FastifyReply,
  answer: Answer,
) {
  if (answer.type === 'csv') return reply.type('text/csv; charset=utf-8').send(answer.text);
  const login = request.spsLogin;
  const remaining = login ? `,"remaining_seconds":${deps.loginSessions.remainingSec(login.record)}` : '';
  return reply.type(JSON_TYPE).send(`${answer.text}${remaining}}}`);
}
