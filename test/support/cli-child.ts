// The `curfew` CLI from source, for tests that spawn it (`node --import tsx test/support/cli-child.ts lab …`):
// bin/curfew.js runs the compiled dist/, which a test must not depend on.
import { main } from '../../src/cli/main.js';

main(process.argv).catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
