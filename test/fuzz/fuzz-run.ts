// The fuzz loop over fast-check: seeded generation, one request per run, a tally of what came back, and for every
// class of failure the shrunk (smallest) request that still shows it.
import fc from 'fast-check';
import { seedCorpus } from './corpus.js';
import { type FuzzApp, seedGroup, startFuzzApp } from './fuzz-app.js';
import { assertHealthy, Credentials, captureErrors, failureClass, type Outcome, send } from './fuzz-client.js';
import { documentedRoutes, type FuzzRoute } from './openapi-routes.js';
import { anyRequest, type FuzzRequest } from './requests.js';

export interface FuzzRunOptions {
  /** Requests in all, shared between unauthenticated and authenticated callers. */
  requests: number;
  seed: number;
  /** Share of the requests sent with valid credentials (default 0.75: most code is behind authentication). */
  authenticatedShare?: number;
}

export interface FailureSeen {
  count: number;
  first: Outcome;
  /** Where to replay it: the phase and the run index within it. */
  authenticated: boolean;
  run: number;
}

export interface FuzzSummary {
  seed: number;
  requests: number;
  routes: number;
  byStatusClass: Record<string, number>;
  /** Per documented route (as generated): requests, and how many of them got a 2xx. */
  byRoute: Map<string, { requests: number; ok: number }>;
  slowest: Outcome[];
  failures: Map<string, FailureSeen>;
  durationMs: number;
}

const SLOWEST_KEPT = 5;

export class FuzzSession {
  readonly target: FuzzApp;
  readonly routes: FuzzRoute[];
  readonly #credentials: Credentials;
  readonly #errors: Map<string, string>;

  private constructor(target: FuzzApp, routes: FuzzRoute[], credentials: Credentials, errors: Map<string, string>) {
    this.target = target;
    this.routes = routes;
    this.#credentials = credentials;
    this.#errors = errors;
  }

  static async start(): Promise<FuzzSession> {
    const target = await startFuzzApp();
    const errors = captureErrors(target);
    const routes = await documentedRoutes(target.app);
    const credentials = new Credentials(target);
    await credentials.refresh();
    target.known.groupKeys.push(await seedGroup(target.app, credentials.headers('valid', '/api')));
    return new FuzzSession(target, routes, credentials, errors);
  }

  requests(authenticated: boolean): fc.Arbitrary<FuzzRequest> {
    return anyRequest(this.target.known, this.routes, authenticated);
  }

  /** The seed corpus runs first in the authenticated phase (and in its replays, so run indexes stay the same). */
  #examples(authenticated: boolean): [FuzzRequest][] {
    return authenticated ? seedCorpus(this.target.known).map((request) => [request]) : [];
  }

  send(request: FuzzRequest): Promise<Outcome> {
    return send(this.target, this.#credentials, this.#errors, request);
  }

  /** Runs every request, failing or not, and tallies them. */
  async survey(options: FuzzRunOptions): Promise<FuzzSummary> {
    const started = performance.now();
    const summary: FuzzSummary = {
      seed: options.seed,
      requests: 0,
      routes: this.routes.length,
      byStatusClass: {},
      byRoute: new Map(),
      slowest: [],
      failures: new Map(),
      durationMs: 0,
    };
    for (const [authenticated, numRuns] of phases(options)) {
      let run = 0;
      const property = fc.asyncProperty(this.requests(authenticated), async (request) => {
        tally(summary, await this.send(request), authenticated, run++);
        return true;
      });
      await fc.assert(property, { seed: options.seed, numRuns, examples: this.#examples(authenticated) });
    }
    summary.durationMs = performance.now() - started;
    return summary;
  }

  /** Replays a failure's run and lets fast-check shrink it to the smallest request of the same class. */
  async shrink(className: string, seen: FailureSeen, seed: number, timeLimitMs = 30_000): Promise<FuzzRequest> {
    const property = fc.asyncProperty(this.requests(seen.authenticated), async (request) => {
      const outcome = await this.send(request);
      return outcome.failure === undefined || failureClass(outcome) !== className;
    });
    const details = await fc.check(property, {
      seed,
      examples: this.#examples(seen.authenticated),
      path: String(seen.run),
      numRuns: 1,
      interruptAfterTimeLimit: timeLimitMs,
      markInterruptAsFailure: false,
    });
    return details.counterexample?.[0] ?? seen.first.request;
  }

  /**
   * For the test suite: surveys, checks the server is healthy, then fails on the first failure class with its shrunk
   * request and the seed to replay it.
   */
  async assertNoFailures(options: FuzzRunOptions): Promise<FuzzSummary> {
    const summary = await this.survey(options);
    await this.assertHealthy();
    const [first] = summary.failures;
    if (first) {
      const [className, seen] = first;
      const smallest = await this.shrink(className, seen, options.seed, 10_000);
      throw new Error(
        `${summary.failures.size} failure class(es), seed ${options.seed}; first: ${className}\n` +
          `smallest request: ${describeRequest(smallest)}\n${formatSummary(summary)}`,
      );
    }
    return summary;
  }

  assertHealthy(): Promise<void> {
    return assertHealthy(this.target, this.#credentials);
  }

  close(): Promise<void> {
    return this.target.close();
  }
}

function phases(options: FuzzRunOptions): [boolean, number][] {
  const authenticated = Math.round(options.requests * (options.authenticatedShare ?? 0.75));
  return [
    [false, options.requests - authenticated],
    [true, authenticated],
  ];
}

function tally(summary: FuzzSummary, outcome: Outcome, authenticated: boolean, run: number): void {
  summary.requests++;
  const statusClass = `${Math.floor(outcome.status / 100)}xx`;
  summary.byStatusClass[statusClass] = (summary.byStatusClass[statusClass] ?? 0) + 1;
  const route = summary.byRoute.get(outcome.request.route) ?? { requests: 0, ok: 0 };
  route.requests++;
  if (statusClass === '2xx') route.ok++;
  summary.byRoute.set(outcome.request.route, route);
  summary.slowest.push(outcome);
  summary.slowest.sort((a, b) => b.ms - a.ms).splice(SLOWEST_KEPT);
  if (outcome.failure === undefined) return;
  const name = failureClass(outcome);
  const seen = summary.failures.get(name);
  if (seen) seen.count++;
  else summary.failures.set(name, { count: 1, first: outcome, authenticated, run });
}

/** A request as one line a person can replay: method, URL, caller, body (long parts elided). */
export function describeRequest(request: FuzzRequest): string {
  const elide = (text: string) =>
    text.length > 300 ? `${text.slice(0, 150)}…(${text.length} chars)…${text.slice(-50)}` : text;
  const type = request.headers['content-type'];
  const body =
    request.payload === undefined ? '' : ` body(${type ?? 'no type'})=${elide(JSON.stringify(request.payload))}`;
  const hostile = request.target ? `, hostile: ${request.target}` : '';
  return `${request.method} ${elide(request.url)} [auth: ${request.auth}${hostile}]${body}`;
}

export function formatSummary(summary: FuzzSummary): string {
  const lines = [
    `fuzz: ${summary.requests} requests over ${summary.routes} documented routes in ${(summary.durationMs / 1000).toFixed(1)} s (seed ${summary.seed})`,
    `by status class: ${Object.entries(summary.byStatusClass)
      .sort()
      .map(([k, n]) => `${k} ${n}`)
      .join(', ')}`,
    `routes never answered 2xx: ${
      [...summary.byRoute]
        .filter(([, r]) => r.ok === 0)
        .map(([name, r]) => `${name} (${r.requests})`)
        .join(', ') || 'none'
    }`,
    'slowest:',
    ...summary.slowest.map((o) => `  ${Math.round(o.ms)} ms  ${o.status}  ${describeRequest(o.request)}`),
    `failure classes: ${summary.failures.size}`,
    ...[...summary.failures].map(([name, seen]) => `  ${seen.count}× ${name}`),
  ];
  return lines.join('\n');
}
