// Imported for its effect by the test harnesses: password hashes at N=2^10 instead of 2^17, so the hundreds of logins
// of a test run stay fast (src/core/passwords.ts honours the override only under NODE_ENV=test). Child processes the
// tests start inherit both variables. test/auth-hardening.test.ts keeps one hash at the real cost.
import { TEST_COST_ENV } from '../../src/core/passwords.js';

process.env.NODE_ENV = 'test';
process.env[TEST_COST_ENV] ??= '10';
