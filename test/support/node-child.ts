// One curfew node for the multi-node test: an engine on a shared PostgreSQL, driven by the parent over IPC (submit,
// read and cancel tasks; issue and resolve BIG-IQ tokens; run an inventory sync round) until it is stopped or SIGKILLed.
import { AuthService, DEFAULT_AUTH_OPTIONS } from '../../src/engine/auth-service.js';
import { openStore } from '../../src/store/open-store.js';
import { newEngine } from './engine-harness.js';

/** Sync lease of the nodes (the multi-node test waits it out for a dead node's devices). */
const SYNC_LEASE_MS = 3_000;

const [url, nodeId, concurrency, curfewIntervalMs] = process.argv.slice(2);
if (!url || !nodeId || !process.send) throw new Error('usage (with IPC): node-child <dbUrl> <nodeId> [concurrency]');
const store = await openStore({ url, secretKey: process.env.CURFEW_SECRET_KEY });
const engine = newEngine(store, nodeId, {
  runner: {
    globalConcurrency: Number(concurrency ?? 2),
    pollMs: 50,
    flushMs: 5,
    leaseMs: 1_500,
    retry: { attempts: 2, backoffMs: 20 },
  },
  // Sync rounds are driven by the parent (`syncRound`), so rounds line up across nodes.
  sync: { intervalMs: 0, concurrency: 16, leaseMs: SYNC_LEASE_MS },
  curfews: { intervalMs: Number(curfewIntervalMs ?? 5_000) },
});
const auth = new AuthService(store, DEFAULT_AUTH_OPTIONS);
const actor = { name: 'admin', address: nodeId };

type Request = { id: number; op: string; arg?: unknown };
const ops: Record<string, (arg: never) => Promise<unknown>> = {
  submit: (selector) => engine.submitKill(selector, actor),
  setCurfew: (body: unknown) => engine.curfews.set(body, actor),
  syncRound: async () => (await engine.sync.syncAll()).length,
  get: (taskId: string) => store.findTaskById(taskId),
  cancel: (taskId: string) => engine.cancelTask(taskId, actor),
  issueToken: async (user: string) => {
    const principal = await auth.principalOf(user);
    if (!principal) throw new Error(`no user ${user}`);
    return (await auth.issueTokens(principal, 'local', nodeId)).access.value;
  },
  resolveToken: async (value: string) => {
    const resolution = await auth.resolveAccessToken(value);
    return 'principal' in resolution ? resolution.principal.name : resolution.error;
  },
  stop: async () => {
    await engine.stop();
    await store.close();
    setImmediate(() => process.exit(0));
  },
};

process.on('message', (request: Request) => {
  const run = ops[request.op];
  void (run ? run(request.arg as never) : Promise.reject(new Error(`unknown op ${request.op}`))).then(
    (result) => process.send?.({ id: request.id, result }),
    (err: unknown) => process.send?.({ id: request.id, error: String(err) }),
  );
});
await engine.start();
process.send({ ready: nodeId });
