// What one device kill knows, and how it turns into per-session outcomes. Only listings decide: a session is killed
// when a listing taken after its delete no longer shows it, failed while one still does or none was taken since.
import type { DeleteReport, DeviceSession } from '../connectors/connector.js';
import type { KillVerdict } from '../core/selector.js';

export class KillLedger {
  readonly #explicit: readonly string[] | null;
  /** Ids deletes were sent for before this run (a task resumed after a crash). */
  readonly #prior: ReadonlySet<string>;
  /** Deletes sent per id during this run. */
  readonly #deletes = new Map<string, number>();
  /** The device said "no such session" to the first delete this run sent for the id: it ended on its own. */
  readonly #missingOnFirstDelete = new Set<string>();
  /** Explicitly named ids absent from a listing before any delete was sent for them. */
  readonly #absentBeforeDelete = new Set<string>();
  /** Attempted ids absent from the latest listing. */
  readonly #gone = new Set<string>();
  #latest: ReadonlySet<string> | null = null;
  /** A listing was taken after the last delete. */
  verified = false;
  /** At least one listing succeeded during this run. */
  listed = false;
  /** The device answered something during this run (worth one more listing after errors). */
  answered = false;

  constructor(explicitIds: readonly string[] | null, priorAttempts: readonly string[]) {
    this.#explicit = explicitIds;
    this.#prior = new Set(priorAttempts);
  }

  /** Records a listing; returns it for chaining. */
  observe(listing: readonly DeviceSession[]): DeviceSession[] {
    const ids = new Set(listing.map((s) => s.sessionId));
    this.#latest = ids;
    this.verified = true;
    this.listed = true;
    this.answered = true;
    for (const id of this.#attempted()) {
      if (ids.has(id)) this.#gone.delete(id);
      else this.#gone.add(id);
    }
    for (const id of this.#explicit ?? []) {
      if (!ids.has(id) && !this.#deletes.has(id) && !this.#prior.has(id)) this.#absentBeforeDelete.add(id);
    }
    return [...listing];
  }

  /** Ids to delete now, from the latest listing: the named ids still there, or the matching sessions. */
  candidates(listing: readonly DeviceSession[], matches: (session: DeviceSession) => boolean): string[] {
    if (this.#explicit) return this.#explicit.filter((id) => this.#latest?.has(id));
    return listing.filter(matches).map((s) => s.sessionId);
  }

  attemptedThisRun(id: string): boolean {
    return this.#deletes.has(id);
  }

  /** Marks deletes about to be sent; returns every id attempted so far (the write-ahead record). */
  attempting(ids: readonly string[]): string[] {
    for (const id of ids) this.#deletes.set(id, (this.#deletes.get(id) ?? 0) + 1);
    this.verified = false;
    return this.#attempted();
  }

  deleted(report: DeleteReport): void {
    if (report.accepted.length + report.missing.length > 0) this.answered = true;
    for (const id of report.missing) {
      if (this.#deletes.get(id) === 1 && !this.#prior.has(id)) this.#missingOnFirstDelete.add(id);
    }
  }

  verdict(): KillVerdict {
    const verdict: KillVerdict = { killed: [], notFound: [...this.#absentBeforeDelete], failed: [] };
    for (const id of this.#attempted()) {
      if (!this.#gone.has(id)) verdict.failed.push(id);
      else if (this.#missingOnFirstDelete.has(id)) verdict.notFound.push(id);
      else verdict.killed.push(id);
    }
    return verdict;
  }

  #attempted(): string[] {
    return [...new Set([...this.#prior, ...this.#deletes.keys()])];
  }
}
