// The session search language (src/core/session-query.ts): values, operators, precedence, field groups, ranges and
// errors with their positions; and ISO 8601 spans (src/core/iso-time.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseTimeSpan } from '../src/core/iso-time.js';
import {
  allOf,
  parseSessionQuery,
  SESSION_QUERY_LIMITS,
  type SessionQueryAst,
  SessionQueryError,
} from '../src/core/session-query.js';

const parse = (q: string) => parseSessionQuery(q);
const user = (value: string): SessionQueryAst => ({ kind: 'text', field: 'user', value });
const and = (...operands: SessionQueryAst[]): SessionQueryAst => ({ kind: 'and', operands });
const or = (...operands: SessionQueryAst[]): SessionQueryAst => ({ kind: 'or', operands });
const not = (operand: SessionQueryAst): SessionQueryAst => ({ kind: 'not', operand });
const utc = (iso: string) => Date.parse(iso);

function fails(q: string, message: RegExp, position: number): void {
  assert.throws(
    () => parse(q),
    (err: unknown) => {
      assert.ok(err instanceof SessionQueryError, String(err));
      assert.match(err.message, message);
      assert.equal(err.position, position, `position of ${err.message}`);
      assert.match(err.message, new RegExp(`at position ${position}$`));
      return true;
    },
  );
}

describe('session query: values', () => {
  it('parses nothing to undefined (every session)', () => {
    assert.equal(parse(''), undefined);
    assert.equal(parse('   '), undefined);
  });

  it('maps fields and their aliases, case-insensitively', () => {
    for (const name of ['user', 'user.name', 'gateway_username', 'USER'])
      assert.deepEqual(parse(`${name}:alice`), user('alice'));
    const field = (q: string) => (parse(q) as { field: string }).field;
    assert.equal(field('client.ip:10.0.0.1'), 'client_ip');
    assert.equal(field('client_ip:10.0.0.1'), 'client_ip');
    assert.equal(field('device.name:bigip-1'), 'device');
    assert.equal(field('device.key:d1'), 'device_key');
    assert.equal(field('device_id:d1'), 'device_key');
    assert.equal(field('access_group:vpn'), 'access_group');
    assert.equal(field('protocol:apm'), 'protocol');
  });

  it('reads quoted values exactly, escapes anywhere, and : / in values unescaped', () => {
    assert.deepEqual(parse('user:"Alice Smith"'), user('Alice Smith'));
    assert.deepEqual(parse('user:"a \\"b\\" c*"'), user('a "b" c*'), 'no wildcards inside quotes');
    assert.deepEqual(parse('user:a\\*b'), user('a*b'));
    assert.deepEqual(parse('user:a\\ b\\(c\\)'), user('a b(c)'));
    assert.deepEqual(parse('client.ip:::1'), { kind: 'text', field: 'client_ip', value: '::1' });
    assert.deepEqual(parse('session_id:bigip-1.lab/svc/rpokH8fD9kx6CaxNLznKx2/test:12'), {
      kind: 'text',
      field: 'session_id',
      value: 'bigip-1.lab/svc/rpokH8fD9kx6CaxNLznKx2/test:12',
    });
    assert.deepEqual(parse('user: alice'), user('alice'), 'a value may follow the colon after a space');
  });

  it('turns unescaped * and ? into a pattern', () => {
    assert.deepEqual(parse('user:al*'), { kind: 'pattern', field: 'user', parts: ['al', { wildcard: '*' }] });
    assert.deepEqual(parse('user:?b\\?c*'), {
      kind: 'pattern',
      field: 'user',
      parts: [{ wildcard: '?' }, 'b?c', { wildcard: '*' }],
    });
  });

  it('reads active, verdict, end_reason and origin as states, case-insensitively', () => {
    assert.deepEqual(parse('active:true'), { kind: 'verdict', verdicts: ['ACTIVE'] });
    assert.deepEqual(parse('active:FALSE'), { kind: 'verdict', verdicts: ['CLOSED', 'TERMINATED'] });
    assert.deepEqual(parse('verdict:terminated'), { kind: 'verdict', verdicts: ['TERMINATED'] });
    assert.deepEqual(parse('end_reason:killed'), { kind: 'verdict', verdicts: ['TERMINATED'] });
    assert.deepEqual(parse('end_reason:closed'), { kind: 'verdict', verdicts: ['CLOSED'] });
    assert.deepEqual(
      parse('verdict:*ED'),
      or({ kind: 'verdict', verdicts: ['CLOSED'] }, { kind: 'verdict', verdicts: ['TERMINATED'] }),
    );
    assert.deepEqual(parse('verdict:X*'), { kind: 'constant', value: false });
    assert.deepEqual(parse('origin:curfew_inventory'), { kind: 'constant', value: true });
    assert.deepEqual(parse('origin:("RECORDING")'), { kind: 'constant', value: false });
  });

  it('reads times as the span of their precision, UTC unless an offset is given', () => {
    const day = {
      kind: 'time',
      field: 'start_time',
      from: utc('2026-01-01T00:00:00Z'),
      to: utc('2026-01-02T00:00:00Z'),
    };
    assert.deepEqual(parse('start_time:2026-01-01'), day);
    assert.deepEqual(parse('end_time:2026-01-01T10:00+01:00'), {
      kind: 'time',
      field: 'end_time',
      from: utc('2026-01-01T09:00:00Z'),
      to: utc('2026-01-01T09:01:00Z'),
    });
    assert.deepEqual(parse('end_time:*'), { kind: 'time', field: 'end_time', from: null, to: null });
  });

  it('reads ranges: [ ] takes in the bounds, { } leaves them out, * is open', () => {
    assert.deepEqual(parse('start_time:[2026-01-01 TO 2026-02-01]'), {
      kind: 'time',
      field: 'start_time',
      from: utc('2026-01-01T00:00:00Z'),
      to: utc('2026-02-02T00:00:00Z'),
    });
    assert.deepEqual(parse('start_time:{2026-01-01 TO 2026-02-01}'), {
      kind: 'time',
      field: 'start_time',
      from: utc('2026-01-02T00:00:00Z'),
      to: utc('2026-02-01T00:00:00Z'),
    });
    assert.deepEqual(parse('end_time:[* TO 2026-01-01T10:00:00.250Z}'), {
      kind: 'time',
      field: 'end_time',
      from: null,
      to: utc('2026-01-01T10:00:00.250Z'),
    });
  });
});

describe('session query: operators', () => {
  it('binds NOT tighter than AND, and AND tighter than OR', () => {
    assert.deepEqual(parse('user:a OR user:b AND user:c'), or(user('a'), and(user('b'), user('c'))));
    assert.deepEqual(parse('NOT user:a AND user:b'), and(not(user('a')), user('b')));
    assert.deepEqual(parse('NOT NOT user:a'), not(not(user('a'))));
  });

  it('joins adjacent clauses with AND; + is a no-op and - is NOT', () => {
    assert.deepEqual(parse('user:a user:b'), and(user('a'), user('b')));
    assert.deepEqual(parse('user:a OR user:b user:c'), or(user('a'), and(user('b'), user('c'))));
    assert.deepEqual(parse('+user:a -user:b'), and(user('a'), not(user('b'))));
    assert.deepEqual(parse('user:a && !user:b || user:c'), or(and(user('a'), not(user('b'))), user('c')));
  });

  it('groups with parentheses and flattens nested operators of one kind', () => {
    assert.deepEqual(parse('(user:a OR user:b) AND user:c'), and(or(user('a'), user('b')), user('c')));
    assert.deepEqual(parse('user:a AND (user:b AND user:c)'), and(user('a'), user('b'), user('c')));
  });

  it('applies field:( … ) to the bare values inside; lower-case and/or are values', () => {
    assert.deepEqual(parse('user:(alice OR bob)'), or(user('alice'), user('bob')));
    assert.deepEqual(parse('user:(alice and bob)'), and(user('alice'), user('and'), user('bob')));
    assert.deepEqual(
      parse('user:(alice OR client.ip:10.0.0.1)'),
      or(user('alice'), { kind: 'text', field: 'client_ip', value: '10.0.0.1' }),
    );
  });

  it('combines extra conditions with allOf', () => {
    assert.equal(allOf(undefined, undefined), undefined);
    assert.deepEqual(allOf(user('a'), undefined), user('a'));
    assert.deepEqual(allOf(user('a'), user('b')), and(user('a'), user('b')));
  });
});

describe('session query: errors name the position at fault', () => {
  it('refuses unknown fields and terms without a field', () => {
    fails('active:true AND usr:alice', /unknown field "usr" \(known: user, user\.name/, 16);
    fails('alice', /"alice" has no field; write field:value/, 0);
    fails('"alice"', /has no field/, 0);
  });

  it('refuses broken structure', () => {
    fails('user:a AND (user:b', /this \( is never closed/, 11);
    fails('user:a)', /unexpected "\)"; expected a search term/, 6);
    fails('user:a OR', /unexpected end of query/, 9);
    fails('user:', /expected a value after "user:"/, 5);
    fails('()', /unexpected "\)"/, 1);
    fails('user:"abc', /unterminated quoted value/, 5);
    fails('user:abc\\', /a trailing \\ escapes nothing/, 8);
    fails(`${'('.repeat(40)}user:a${')'.repeat(40)}`, /nest deeper than 32/, 32);
  });

  it('keeps to the budget: nesting of parentheses and negations, terms, length (docs/security.md)', () => {
    const { maxDepth, maxTerms, maxLength } = SESSION_QUERY_LIMITS;
    assert.deepEqual(parse(`${'NOT '.repeat(maxDepth)}user:a`), parse(`${'NOT NOT '.repeat(maxDepth / 2)}user:a`));
    fails(`${'NOT '.repeat(1000)}user:a`, new RegExp(`nest deeper than ${maxDepth}`), maxDepth * 4);
    fails(`${'!'.repeat(maxDepth + 1)}user:a`, /nest deeper than/, maxDepth);
    fails(`${'NOT ('.repeat(maxDepth)}user:a${')'.repeat(maxDepth)}`, /nest deeper than/, (maxDepth / 2) * 5);
    const terms = (count: number) => Array.from({ length: count }, (_, i) => `user:u${i}`).join(' OR ');
    assert.equal(parse(terms(maxTerms))?.kind, 'or');
    fails(terms(maxTerms + 1), new RegExp(`more than ${maxTerms} terms`), terms(maxTerms).length + 4);
    fails(`user:${'a'.repeat(maxLength)}`, new RegExp(`longer than ${maxLength} characters`), maxLength);
  });

  it('matches enum wildcards without a backtracking regex', () => {
    assert.deepEqual(parse(`verdict:${'*'.repeat(1000)}x`), { kind: 'constant', value: false });
    assert.deepEqual(parse('verdict:T*D'), { kind: 'verdict', verdicts: ['TERMINATED'] });
    assert.deepEqual(parse('verdict:?ctive'), { kind: 'verdict', verdicts: ['ACTIVE'] });
  });

  it('refuses values a field cannot take, and Lucene features outside the subset', () => {
    fails('start_time:yesterday', /start_time needs an ISO 8601 time/, 11);
    fails('start_time:2026-02-30', /ISO 8601/, 11);
    fails('start_time:[2026-01-01 TO soon]', /range bound "soon" is not an ISO 8601 time/, 11);
    fails('start_time:[2026-01-01 2026-02-01]', /a range is written \[from TO to\]/, 11);
    fails('start_time:[2026-01-01 TO', /unterminated range/, 11);
    fails('user:[a TO b]', /ranges work on start_time and end_time only/, 5);
    fails('user:alice~2', /fuzzy \(~\) and boost \(\^\) are not supported/, 5);
    fails('user:alice^3', /not supported/, 5);
    fails('active:maybe', /"maybe" is not one of true, false/, 7);
    fails('verdict:ended', /is not one of active, closed, terminated/, 8);
  });
});

describe('ISO 8601 spans', () => {
  it('covers the precision written, and rejects what names no real time', () => {
    assert.deepEqual(parseTimeSpan('2026-03-01'), {
      start: utc('2026-03-01T00:00:00Z'),
      end: utc('2026-03-02T00:00:00Z'),
    });
    assert.deepEqual(parseTimeSpan('2026-03-01 10:15:30'), {
      start: utc('2026-03-01T10:15:30Z'),
      end: utc('2026-03-01T10:15:31Z'),
    });
    assert.equal(parseTimeSpan('2026-03-01T10:15-0530')?.start, utc('2026-03-01T15:45:00Z'));
    assert.equal(parseTimeSpan('2026-03-01T10:15+02')?.start, utc('2026-03-01T08:15:00Z'));
    assert.equal(parseTimeSpan('2024-02-29')?.start, utc('2024-02-29T00:00:00Z'));
    for (const bad of [
      '2026-02-29',
      '2026-13-01',
      '2026-01-01T24:00',
      '2026-01-01T10:60',
      '20260101',
      'today',
      '2026-01-01Z',
    ]) {
      assert.equal(parseTimeSpan(bad), undefined, bad);
    }
  });
});
