// The engine's logger: pino, injected by the composition (`curfew serve` passes the node's), silent when none is
// given (tests, CLI commands that only touch the store).
import { type Logger, pino } from 'pino';

export type { Logger };

export const silentLogger: Logger = pino({ level: 'silent' });

/** The message and, for ConnectorErrors and the like, the code: enough context for a log line, never a secret. */
export function errorFields(err: unknown): { err: string; code?: string } {
  const message = err instanceof Error ? err.message : String(err);
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? { err: message, code } : { err: message };
}
