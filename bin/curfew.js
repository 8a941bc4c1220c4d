#!/usr/bin/env node
// Thin launcher: the CLI is compiled to dist/ by `npm install` (the `prepare` script).
import { runCli } from '../dist/src/cli/main.js';

runCli(process.argv);
