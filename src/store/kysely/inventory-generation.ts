// The inventory generation (migration 0010): a number in the database that moves whenever what a session search can
// see changes, so search results can be cached under it (src/http/sps/search-cache.ts) on every node of a deployment.
//
// - It moves in the same transaction as the change, as that transaction's last write: a reader that sees a generation
//   sees at least the changes it stands for, and the row lock (PostgreSQL) is held only until the commit, after every
//   other lock the transaction takes (so it cannot close a deadlock cycle).
// - What moves it: a sync that inserts, changes, ends or revives sessions; a kill outcome that ends sessions; a purge
//   of history that deletes rows; a fleet write or configuration commit that adds, changes or removes a device (the
//   device's hostname, cluster and access group are part of every search). What does not: a sync that finds nothing
//   new and only refreshes `last_seen_at` (a steady fleet), device health.
// - Reads are kept in memory for up to `maxAgeMs`: changes committed by other nodes are seen within that bound; changes
//   committed through this store are seen by the next read, as the writers call `committed()` once their transaction
//   is in.
import type { Kysely } from 'kysely';
import { KeptRead } from './kept-read.js';
import type { Database } from './schema.js';

/** How long a node answers from the generation it last read, when nothing changed through it meanwhile. */
export const INVENTORY_GENERATION_MAX_AGE_MS = 200;

export class InventoryGeneration {
  readonly #kept: KeptRead;

  constructor(db: Kysely<Database>, maxAgeMs = INVENTORY_GENERATION_MAX_AGE_MS, now = () => performance.now()) {
    const read = async () =>
      Number(
        (await db.selectFrom('inventory_generation').select('generation').where('id', '=', 1).executeTakeFirstOrThrow())
          .generation,
      );
    this.#kept = new KeptRead(read, maxAgeMs, now);
  }

  /** The current generation, at most `maxAgeMs` old (never older than this store's own committed changes). */
  read(): Promise<number> {
    return this.#kept.read();
  }

  /** Moves the generation inside `trx`; call it as the transaction's last write. */
  async bump(trx: Kysely<Database>): Promise<void> {
    await trx
      .updateTable('inventory_generation')
      .set((eb) => ({ generation: eb('generation', '+', 1) }))
      .where('id', '=', 1)
      .execute();
  }

  /** A transaction that called `bump` has committed (or may have): the next read goes to the database. */
  committed(): void {
    this.#kept.committed();
  }
}
