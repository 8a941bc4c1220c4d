// The HTTP fuzz suite in `npm test`: a small, seeded budget over every documented route of both surfaces (see
// docs/security.md). No request may answer 5xx or take over 2 s, and the server must be healthy afterwards.
// FUZZ_TEST_REQUESTS and FUZZ_SEED change the budget and the seed (to replay a failure); `npm run fuzz` is the big run.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FuzzSession, formatSummary } from './fuzz-run.js';

const REQUESTS = Number(process.env.FUZZ_TEST_REQUESTS || 3_000);
const SEED = Number(process.env.FUZZ_SEED || 20_261_101);

describe('HTTP fuzz: every documented route, unauthenticated and authenticated', () => {
  let session: FuzzSession;
  before(async () => {
    session = await FuzzSession.start();
  });
  after(() => session?.close());

  it(`answers ${REQUESTS} seeded requests without a 5xx or a response over 2 s, and stays healthy`, async (t) => {
    const summary = await session.assertNoFailures({ requests: REQUESTS, seed: SEED });
    t.diagnostic(formatSummary(summary));
    assert.equal(summary.requests, REQUESTS);
    const missed = session.routes.map((r) => `${r.method} ${r.path}`).filter((name) => !summary.byRoute.has(name));
    assert.deepEqual(missed, [], 'every documented route was fuzzed');
    assert.ok(session.routes.some((r) => r.surface === 'sps') && session.routes.some((r) => r.surface === 'bigiq'));
  });
});
