// The session search language evaluated in memory, against one live session (a curfew's `query` is checked against
// each session a gateway lists, not in SQL). Same meaning as the store's SQL compilation: text terms exact and
// case-sensitive, patterns case-insensitive (`*` alone: has a value), time ranges from inclusive to exclusive. A live
// session is ACTIVE and has no end_time.
import { matchesGlob } from './glob.js';
import { parseSessionQuery, type SessionQueryAst, type TextField } from './session-query.js';

/** A live session as the query sees it; fields a caller does not know (no cluster, no hostname) are absent. */
export interface LiveSessionView {
  user: string;
  clientIp: string;
  deviceId: string;
  /** The device's hostname (`device:` in queries). */
  deviceName?: string | null;
  cluster?: string | null;
  accessGroup?: string | null;
  protocol: string;
  sessionId: string;
  /** Epoch ms. */
  startedAt: number;
}

export function evaluateSessionQuery(ast: SessionQueryAst, session: LiveSessionView): boolean {
  switch (ast.kind) {
    case 'and':
      return ast.operands.every((operand) => evaluateSessionQuery(operand, session));
    case 'or':
      return ast.operands.some((operand) => evaluateSessionQuery(operand, session));
    case 'not':
      return !evaluateSessionQuery(ast.operand, session);
    case 'text':
      return textOf(session, ast.field) === ast.value;
    case 'pattern': {
      const value = textOf(session, ast.field);
      return value !== undefined && matchesGlob(ast.parts, value, { ignoreCase: true });
    }
    case 'time': {
      // A live session has no end time, so every end_time term (even `end_time:*`) is false.
      if (ast.field === 'end_time') return false;
      return (ast.from === null || session.startedAt >= ast.from) && (ast.to === null || session.startedAt < ast.to);
    }
    case 'verdict':
      return ast.verdicts.includes('ACTIVE');
    case 'constant':
      return ast.value;
  }
}

function textOf(session: LiveSessionView, field: TextField): string | undefined {
  const value = {
    user: session.user,
    client_ip: session.clientIp,
    protocol: session.protocol,
    device: session.deviceName,
    device_key: session.deviceId,
    cluster: session.cluster,
    access_group: session.accessGroup,
    session_id: session.sessionId,
  }[field];
  return value ?? undefined;
}

/** Parsed queries by text: a curfew's query is checked against every listed session, and parsed once. */
const parsed = new Map<string, SessionQueryAst | undefined>();
const CACHE_SIZE = 256;

/** The query's AST; undefined for an empty query or one that does not parse. */
export function cachedQuery(query: string): SessionQueryAst | undefined {
  if (parsed.has(query)) return parsed.get(query);
  let ast: SessionQueryAst | undefined;
  try {
    ast = parseSessionQuery(query);
  } catch {
    // Bodies are validated before they are stored; a stored query that does not parse matches no one.
    ast = undefined;
  }
  if (parsed.size >= CACHE_SIZE) parsed.clear();
  parsed.set(query, ast);
  return ast;
}
