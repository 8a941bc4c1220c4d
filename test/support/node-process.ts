// A curfew node in a child process (test/support/node-child.ts) on a shared database, driven over IPC, for the
// multi-node tests.
import { type ChildProcess, fork } from 'node:child_process';
import { eventually } from './eventually.js';

/** A node process, answering requests over IPC. */
export class NodeProcess {
  readonly #child: ChildProcess;
  readonly #waiting = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  #next = 0;
  readonly ready: Promise<void>;

  constructor(
    url: string,
    readonly id: string,
    secretKey: string,
    options: { curfewIntervalMs?: number } = {},
  ) {
    const args = [url, id, '2', String(options.curfewIntervalMs ?? 5_000)];
    this.#child = fork('test/support/node-child.ts', args, {
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, CURFEW_SECRET_KEY: secretKey },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.ready = new Promise((resolve, reject) => {
      this.#child.once('exit', (code) => reject(new Error(`${id} exited (${code}) before it was ready`)));
      this.#child.on('message', (m: { ready?: string; id?: number; result?: unknown; error?: string }) => {
        if (m.ready) resolve();
        const waiter = m.id === undefined ? undefined : this.#waiting.get(m.id);
        if (!waiter || m.id === undefined) return;
        this.#waiting.delete(m.id);
        if (m.error) waiter.reject(new Error(`${id}: ${m.error}`));
        else waiter.resolve(m.result);
      });
    });
  }

  call<T>(op: string, arg?: unknown): Promise<T> {
    const id = this.#next++;
    return new Promise<T>((resolve, reject) => {
      this.#waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.#child.send({ id, op, arg });
    });
  }

  get alive(): boolean {
    return this.#child.exitCode === null && this.#child.signalCode === null;
  }

  async kill(): Promise<void> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.#child.once('exit', resolve));
    this.#child.kill('SIGKILL');
    await exited;
  }
}

export async function until(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  await eventually(what, check, timeoutMs, 10);
}
