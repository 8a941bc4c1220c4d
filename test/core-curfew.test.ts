// Curfews in the domain (src/core/curfew.ts, curfew-body.ts, cidr.ts, session-query-eval.ts): reading request bodies,
// matching live sessions by user, address and query, scopes, and the expiry boundary.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { blockContains, parseIpBlock } from '../src/core/cidr.js';
import {
  type Curfew,
  type CurfewSession,
  curfewMatches,
  curfewScopesDevice,
  curfewUnknownScopes,
  isActive,
  newCurfew,
  parseCurfewInput,
  parseExtension,
} from '../src/core/curfew.js';
import { durationMs } from '../src/core/curfew-body.js';

const NOW = Date.UTC(2026, 11, 1, 12, 0, 0);
const base = { users: ['alice'], fleet: true, reason: 'incident 42' };
const invalid = (pattern: RegExp) => ({
  name: 'DomainError',
  kind: 'invalid',
  code: 'CURFEW_REQUEST',
  message: pattern,
});

const session = (over: Partial<CurfewSession> = {}): CurfewSession => ({
  user: 'bob',
  clientIp: '192.0.2.7',
  deviceId: 'dev-1',
  deviceName: 'bigip-1.lab',
  cluster: 'blue',
  accessGroup: 'g1',
  protocol: 'apm',
  sessionId: 'a1b2c3d4',
  startedAt: NOW - 60_000,
  ...over,
});

function curfew(who: Partial<Curfew['who']>): Curfew {
  const input = parseCurfewInput({ ...base, users: [], ...who }, NOW);
  return {
    ...newCurfew(input, { name: 'admin', address: '::1' }, NOW, 'c-1'),
    updatedAt: NOW,
    updatedBy: 'admin',
    state: 'active',
    endedAt: null,
    endedBy: null,
    violations: 0,
    generation: 1,
  };
}

describe('parseCurfewInput', () => {
  it('reads a full body, with defaults', () => {
    const input = parseCurfewInput(
      {
        users: ['alice', ' alice ', 'svc-*'],
        ips: ['10.0.0.0/8', '2001:db8::/32'],
        query: 'protocol:ssh',
        accessGroups: ['g1'],
        clusters: ['blue'],
        devices: ['dev-1'],
        duration: 'PT2M',
        reason: '  breach  ',
      },
      NOW,
    );
    assert.deepEqual(input, {
      who: { users: ['alice', 'svc-*'], ips: ['10.0.0.0/8', '2001:db8::/32'], query: 'protocol:ssh' },
      where: { all: false, accessGroupNames: ['g1'], clusterNames: ['blue'], deviceIds: ['dev-1'] },
      until: NOW + 120_000,
      reason: 'breach',
      mode: 'enforce',
    });
    assert.equal(parseCurfewInput({ ...base, mode: 'monitor' }, NOW).mode, 'monitor');
    assert.equal(parseCurfewInput(base, NOW).until, null, 'no until nor duration: until lifted');
    assert.equal(parseCurfewInput({ ...base, fleet: undefined, all: true }, NOW).where.all, true);
    assert.equal(parseCurfewInput({ ...base, until: '2026-12-01T13:00:00Z' }, NOW).until, NOW + 3_600_000);
  });

  it('refuses bodies with a clear message', () => {
    const cases: [unknown, RegExp][] = [
      [[], /JSON object/],
      [{ fleet: true, reason: 'x' }, /users, ips or query/],
      [{ users: ['a'], reason: 'x' }, /where the curfew applies/],
      [{ ...base, fleet: 'yes' }, /fleet must be a boolean/],
      [{ ...base, reason: ' ' }, /reason is required/],
      [{ ...base, reason: 'x'.repeat(1025) }, /longer than 1024/],
      [{ ...base, users: Array.from({ length: 1001 }, (_, i) => `u${i}`) }, /at most 1000/],
      [{ ...base, users: ['x'.repeat(257)] }, /longer than 256/],
      [{ ...base, users: 'alice' }, /users must be an array of strings/],
      [{ ...base, ips: ['10.0.0.256'] }, /not an IP address/],
      [{ ...base, ips: ['10.0.0.1/8'] }, /host bits/],
      [{ ...base, ips: ['10.0.0.0/33'] }, /0 to 32/],
      [{ ...base, ips: ['2001:db8::/129'] }, /0 to 128/],
      [{ ...base, ips: ['1:2:3:4:5:6:7:8:9'] }, /not an IP address/],
      [{ ...base, query: 'user:(alice' }, /query: this \( is never closed/],
      [{ ...base, query: 'nosuch:x' }, /unknown field "nosuch"/],
      [{ ...base, until: '2026-12-01T11:59:59Z' }, /not in the future/],
      [{ ...base, until: '2026-12-01T12:00:00Z' }, /not in the future/],
      [{ ...base, until: 'tomorrow' }, /ISO 8601 time/],
      [{ ...base, until: '2026-12-01T13:00:00Z', duration: '1h' }, /not both/],
      [{ ...base, duration: '2 hours' }, /duration "2 hours"/],
      [{ ...base, duration: 'PT0S' }, /longer than zero/],
      [{ ...base, duration: '4000d' }, /ten years/],
      [{ ...base, mode: 'audit' }, /mode must be one of enforce, monitor/],
      [{ ...base, user: 'alice' }, /unknown field\(s\): user/],
    ];
    for (const [body, message] of cases) {
      assert.throws(() => parseCurfewInput(body, NOW), invalid(message), JSON.stringify(body).slice(0, 80));
    }
    assert.throws(
      () => parseCurfewInput({ fleet: true, reason: 'x', query: '  ' }, NOW),
      invalid(/users, ips/),
      'blank query',
    );
  });

  it('reads short and ISO 8601 durations', () => {
    const cases: [string, number | undefined][] = [
      ['90s', 90_000],
      ['2m', 120_000],
      ['4h', 14_400_000],
      ['7d', 604_800_000],
      ['PT2M', 120_000],
      ['PT1.5S', 1_500],
      ['P1DT12H', 129_600_000],
      ['P2W', 1_209_600_000],
      ['pt30m', 1_800_000],
      ['P', undefined],
      ['PT', undefined],
      ['P1DT', undefined],
      ['P1M', undefined],
      ['P1Y', undefined],
      ['2', undefined],
      ['-5m', undefined],
    ];
    for (const [text, ms] of cases) assert.equal(durationMs(text), ms, text);
  });
});

describe('parseExtension', () => {
  const active = { id: 'c-1', state: 'active' as const, until: NOW + 60_000 };

  it('sets a new end from until or from now plus a duration', () => {
    assert.equal(parseExtension({ duration: '1h' }, active, NOW), NOW + 3_600_000);
    assert.equal(parseExtension({ until: '2026-12-01T12:00:30Z' }, active, NOW), NOW + 30_000, 'may be earlier');
    assert.equal(parseExtension({ until: null }, active, NOW), null, 'until lifted');
  });

  it('refuses a past end, an empty body, and a curfew no longer active', () => {
    assert.throws(() => parseExtension({}, active, NOW), invalid(/until or duration is required/));
    assert.throws(() => parseExtension({ until: '2026-12-01T12:00:00Z' }, active, NOW), invalid(/not in the future/));
    assert.throws(() => parseExtension({ reason: 'x', duration: '1h' }, active, NOW), invalid(/unknown field/));
    for (const ended of [
      { ...active, state: 'lifted' as const },
      { ...active, state: 'expired' as const },
      { ...active, until: NOW },
    ]) {
      assert.throws(() => parseExtension({ duration: '1h' }, ended, NOW), {
        kind: 'conflict',
        code: 'CURFEW_NOT_ACTIVE',
      });
    }
  });
});

describe('curfewMatches', () => {
  it('matches users exactly and case-sensitively, wildcards case-insensitively', () => {
    const c = curfew({ users: ['alice', 'svc-*', 'op?'] });
    assert.equal(curfewMatches(c, session({ user: 'alice' })), true);
    assert.equal(curfewMatches(c, session({ user: 'Alice' })), false);
    assert.equal(curfewMatches(c, session({ user: 'alice2' })), false);
    assert.equal(curfewMatches(c, session({ user: 'SVC-backup' })), true);
    assert.equal(curfewMatches(c, session({ user: 'op1' })), true);
    assert.equal(curfewMatches(c, session({ user: 'op12' })), false);
  });

  it('matches addresses exactly or by CIDR, IPv4, IPv6 and IPv4-mapped IPv6', () => {
    const c = curfew({ ips: ['10.1.0.0/16', '192.0.2.7', '2001:db8:a::/48', '::ffff:198.51.100.0/120'] });
    const hit = (clientIp: string) => curfewMatches(c, session({ clientIp }));
    assert.equal(hit('10.1.255.3'), true);
    assert.equal(hit('10.2.0.1'), false);
    assert.equal(hit('192.0.2.7'), true);
    assert.equal(hit('192.0.2.8'), false);
    assert.equal(hit('::ffff:10.1.2.3'), true, 'a mapped session address matches a v4 block');
    assert.equal(hit('::FFFF:c000:207'), true, 'hex mapped form too');
    assert.equal(hit('198.51.100.9'), true, 'a v4 address matches a mapped v6 block');
    assert.equal(hit('198.51.101.9'), false);
    assert.equal(hit('2001:db8:a:ffff::1'), true);
    assert.equal(hit('2001:0db8:000a:0000:0000:0000:0000:0001'), true, 'uncompressed');
    assert.equal(hit('2001:db8:b::1'), false);
    assert.equal(hit('fe80::1%eth0'), false);
    assert.equal(hit('not-an-ip'), false);
    assert.equal(hit(''), false);
  });

  it('has CIDR edge cases right', () => {
    assert.equal(blockContains(parseIpBlock('0.0.0.0/0'), '255.255.255.255'), true);
    assert.equal(blockContains(parseIpBlock('0.0.0.0/0'), '2001:db8::1'), false, 'v4 /0 is IPv4 only');
    assert.equal(blockContains(parseIpBlock('::/0'), '2001:db8::1'), true);
    assert.equal(blockContains(parseIpBlock('::1'), '0:0:0:0:0:0:0:1'), true);
    assert.equal(blockContains(parseIpBlock('fe80::/10'), 'fe80::1%eth0'), true, 'zone ignored');
    assert.equal(blockContains(parseIpBlock('10.0.0.0/31'), '10.0.0.1'), true);
    assert.equal(blockContains(parseIpBlock('10.0.0.0/31'), '10.0.0.2'), false);
    for (const bad of ['01.2.3.4', '1.2.3', '1::2::3', ':::', '1:2:3:4:5:6:7', '12345::', '::g', '10.0.0.0/8/8'])
      assert.throws(() => parseIpBlock(bad), /not an IP address|prefix/, bad);
  });

  it('evaluates the query on the live session', () => {
    const hit = (query: string, over: Partial<CurfewSession> = {}) => curfewMatches(curfew({ query }), session(over));
    assert.equal(hit('protocol:apm AND device:bigip-1.lab'), true);
    assert.equal(hit('protocol:APM'), false, 'text exact');
    assert.equal(hit('protocol:AP*'), true, 'pattern case-insensitive');
    assert.equal(hit('cluster:* AND access_group:g1 AND device_id:dev-1 AND session_id:a1b2c3d4'), true);
    assert.equal(hit('cluster:*', { cluster: null }), false, 'no value');
    assert.equal(hit('NOT user:bob'), false);
    assert.equal(hit('user:alice OR client_ip:192.0.2.7'), true);
    assert.equal(hit('active:true AND verdict:ACTIVE AND origin:CURFEW_INVENTORY'), true);
    assert.equal(hit('active:false'), false);
    assert.equal(hit('end_time:*'), false, 'a live session has no end');
    assert.equal(hit('start_time:[2026-12-01T11:59 TO *]'), true);
    assert.equal(hit('start_time:{2026-12-01T11:59:00Z TO *]'), false, 'exclusive low bound');
    assert.equal(hit('start_time:2026-12-01'), true, 'a date is its whole day');
    assert.equal(hit('start_time:2026-11-30'), false);
  });

  it('matches no one by a stored entry that does not parse', () => {
    const c = curfew({ users: ['alice'] });
    const broken = { who: { users: [], ips: ['10.0.0.1/8', 'nonsense'], query: 'user:(bob' } };
    assert.equal(curfewMatches(broken, session({ clientIp: '10.0.0.1' })), false);
    assert.equal(curfewMatches({ who: { ...c.who, users: [], query: '' } }, session({ user: 'alice' })), false);
  });

  it('combines users, addresses and query as OR', () => {
    const c = curfew({ users: ['alice'], ips: ['10.0.0.0/8'], query: 'protocol:ssh' });
    assert.equal(curfewMatches(c, session({ user: 'alice' })), true);
    assert.equal(curfewMatches(c, session({ clientIp: '10.9.9.9' })), true);
    assert.equal(curfewMatches(c, session({ protocol: 'ssh' })), true);
    assert.equal(curfewMatches(c, session()), false);
  });
});

describe('curfew scope and lifetime', () => {
  it('scopes devices by fleet, group, cluster (every member) or id', () => {
    const where = { all: false, accessGroupNames: ['g1'], clusterNames: ['blue'], deviceIds: ['dev-9'] };
    const dev = (id: string, cluster: string | null, accessGroup: string | null) => ({ id, cluster, accessGroup });
    assert.equal(curfewScopesDevice(where, dev('dev-1', null, 'g1')), true);
    assert.equal(curfewScopesDevice(where, dev('dev-2', 'blue', null)), true);
    assert.equal(curfewScopesDevice(where, dev('dev-9', null, null)), true);
    assert.equal(curfewScopesDevice(where, dev('dev-3', 'red', 'g2')), false);
    assert.equal(curfewScopesDevice({ ...where, all: true }, dev('dev-3', 'red', 'g2')), true);
    const unknown = curfewUnknownScopes(where, { devices: [], clusterNames: ['blue'], accessGroupNames: [] });
    assert.deepEqual(unknown, { unknownDevices: ['dev-9'], unknownClusters: [], unknownAccessGroups: ['g1'] });
  });

  it('is active until its until, exclusive, unless lifted or expired', () => {
    const c = { state: 'active' as const, until: NOW };
    assert.equal(isActive(c, NOW - 1), true);
    assert.equal(isActive(c, NOW), false, 'ends at until exactly');
    assert.equal(isActive({ state: 'active', until: null }, Number.MAX_SAFE_INTEGER), true);
    assert.equal(isActive({ state: 'lifted', until: null }, NOW), false);
    assert.equal(isActive({ state: 'expired', until: NOW + 1 }, NOW), false);
  });
});
