// `curfew …` as a child process, from source (test/support/curfew-cli.ts): a command run to its exit, or a
// `curfew serve` node kept running until the test stops or kills it. Every process started here is tracked, so a
// test's `after` can kill whatever is left.
import { type ChildProcess, spawn } from 'node:child_process';

const ENTRY = ['--import', 'tsx', 'test/support/curfew-cli.ts'];
export const ADMIN_PASSWORD = 'data-dir-lock-test';
const ENV = { ...process.env, CURFEW_ADMIN_PASSWORD: ADMIN_PASSWORD, CURFEW_LAB_PASSWORD: 'admin' };

const running = new Set<ChildProcess>();

export interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface ServeNode {
  child: ChildProcess;
  pid: number;
  url: string;
  stderr(): string;
  /** Resolves when the process has exited, with its output. */
  exited: Promise<Finished>;
}

interface Started {
  child: ChildProcess;
  exited: Promise<Finished>;
  stderr(): string;
}

function start(args: readonly string[], env: NodeJS.ProcessEnv): Started {
  const child = spawn(process.execPath, [...ENTRY, ...args], { env: { ...ENV, ...env }, stdio: 'pipe' });
  running.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    child.emit('progress', stdout);
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<Finished>((resolve) =>
    child.once('exit', (code) => {
      running.delete(child);
      resolve({ code, stdout, stderr });
    }),
  );
  return { child, exited, stderr: () => stderr };
}

/** Runs `curfew <args>` to its exit (killed after `timeoutMs`). */
export async function runCurfew(args: readonly string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 30_000) {
  const { child, exited } = start(args, env);
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  try {
    return await exited;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Starts `curfew serve` on `dataDir` (loopback, an ephemeral port, no periodic sync) and resolves once its banner is
 * printed — after the lab fleet is registered, when `--lab` is given.
 */
export async function startServe(dataDir: string, extraArgs: readonly string[] = []): Promise<ServeNode> {
  const args = ['serve', '--data-dir', dataDir, '--listen', '127.0.0.1:0', '--sync-interval', '0'];
  const { child, exited, stderr } = start([...args, '--log-level', 'warn', ...extraArgs], {});
  const withLab = extraArgs.includes('--lab');
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('curfew serve printed no banner within 30 s')), 30_000);
    child.on('progress', (stdout: string) => {
      const match = /curfew is serving at (\S+)/.exec(stdout);
      if (match?.[1] && (!withLab || stdout.includes('lab fleet:'))) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    void exited.then((finished) => {
      clearTimeout(timer);
      reject(new Error(`curfew serve exited (${finished.code}) before serving: ${finished.stderr}`));
    });
  });
  return { child, pid: child.pid ?? 0, url, stderr, exited };
}

/** Kills every process these helpers started that is still running (SIGKILL), and waits for them to exit. */
export async function killAll(): Promise<void> {
  await Promise.all(
    [...running].map(
      (child) =>
        new Promise<void>((resolve) => {
          child.once('exit', () => resolve());
          child.kill('SIGKILL');
        }),
    ),
  );
}
