// Shared pieces of the benchmarks: the lab process client, percentiles, tables, machine facts.
import { type ChildProcess, fork } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import type { LabDeviceInfo, LabFleetOptions } from '../lab/bigip/emulator.js';

export class LabProcess {
  readonly #child: ChildProcess;
  #next = 1;
  readonly #pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  private constructor(child: ChildProcess) {
    this.#child = child;
    child.on('message', (m: { id: number; ok: boolean; result?: unknown; error?: string }) => {
      const waiter = this.#pending.get(m.id);
      this.#pending.delete(m.id);
      if (m.ok) waiter?.resolve(m.result);
      else waiter?.reject(new Error(m.error));
    });
  }

  static async start(options: LabFleetOptions): Promise<{ lab: LabProcess; devices: LabDeviceInfo[] }> {
    const child = fork(new URL('./lab-process.ts', import.meta.url), [], {
      execArgv: ['--import', 'tsx'],
      stdio: 'inherit',
    });
    const lab = new LabProcess(child);
    const { devices } = (await lab.call({ cmd: 'start', options })) as { devices: LabDeviceInfo[] };
    return { lab, devices };
  }

  call(message: Record<string, unknown>): Promise<unknown> {
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#child.send({ id, ...message });
    });
  }

  async seed(user: string, perDevice: number): Promise<number> {
    return ((await this.call({ cmd: 'seed', user, perDevice })) as { added: number }).added;
  }

  async count(user?: string): Promise<number> {
    return ((await this.call({ cmd: 'count', ...(user !== undefined && { user }) })) as { count: number }).count;
  }

  async stop(): Promise<void> {
    await this.call({ cmd: 'stop' }).catch(() => undefined);
  }
}

export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}

export function table(rows: Record<string, string | number>[]): string {
  const first = rows[0];
  if (!first) return '';
  const headers = Object.keys(first);
  const width = headers.map((h) => Math.max(h.length, ...rows.map((r) => String(r[h]).length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(width[i] ?? 0)).join(' | ')} |`;
  return [
    line(headers),
    line(width.map((w) => '-'.repeat(w))),
    ...rows.map((r) => line(headers.map((h) => String(r[h])))),
  ].join('\n');
}

export function machine(): string {
  return `${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
}

export const ms = (n: number): string => `${n.toFixed(0)} ms`;
