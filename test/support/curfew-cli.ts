// `curfew` from source, for tests that spawn the command line: what bin/curfew.js runs from dist/.
import { runCli } from '../../src/cli/main.js';

runCli(process.argv);
