// Golden tests for the BIG-IQ OData module: every query example in docs/compat/bigiq.md §4.1 and every rule in §4.2,
// applied to small machineid-resolver, device-group and task collections shaped like §7–9.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  applyQuery,
  evaluateFilter,
  FILTER_LIMITS,
  type FilterExpr,
  ODataError,
  type ODataQuery,
  parseFilter,
  parseQuery,
} from '../src/http/bigiq/odata.js';

// ---- fixtures ----------------------------------------------------------------------------------------------

const BLUE1 = '98901455-1c1b-4d6e-9a2f-3b4c5d6e7f80';
const BLUE2 = '3f320100-2177-42e0-8a46-2e33cd3366d0';
const RED1 = '5d2e8c41-7a90-4b3c-8e1f-0a2b4c6d8e01';
const EDGE = 'c0ffee00-1111-4222-8333-444455556666';
const BIGIQ = 'a7c3e5f1-0d2b-4c6e-8f9a-1b3d5f7a9c0e';
const resolverLink = (id: string) => `https://localhost/mgmt/cm/system/machineid-resolver/${id}`;
const groupLink = (name: string) => `https://localhost/mgmt/shared/resolver/device-groups/${name}`;

interface DeviceFields {
  machineId: string;
  address: string;
  hostname: string;
  product?: string;
  version?: string;
  httpsPort?: number;
  lastUpdateMicros: number;
  properties: Record<string, unknown>;
}

/** A machineid-resolver item (§8). */
function resolverDevice(fields: DeviceFields): Record<string, unknown> {
  const { machineId, product = 'BIG-IP', version = '12.1.0', httpsPort = 443, ...rest } = fields;
  return {
    uuid: machineId,
    machineId,
    deviceUri: `https://${fields.address}:${httpsPort}`,
    state: 'ACTIVE',
    httpsPort,
    version,
    product,
    edition: 'Final',
    build: '0.0.1354',
    isClustered: false,
    slots: [{ volume: 'HD1.1', product, version, build: '0.0.1354', isActive: true }],
    generation: 67,
    kind: 'shared:resolver:device-groups:restdeviceresolverdevicestate',
    selfLink: resolverLink(machineId),
    ...rest,
  };
}

const accessMembership = (clusterName: string, sourceDevice: boolean) => ({
  'cm:gui:module': ['Access', 'BigIPDevice', 'adc'],
  'cm-access-allBigIpDevices': {
    discovered: true,
    imported: true,
    clusterName,
    'cm:access:access-group-name': 'TestGroup',
    'cm:access:source-device': sourceDevice,
    'cm:access:access-group-link': groupLink('TestGroup'),
  },
});

const blue1 = resolverDevice({
  machineId: BLUE1,
  address: '10.255.4.124',
  hostname: 'bluebigipveha1.labf.com',
  lastUpdateMicros: 1479332833705505,
  properties: accessMembership('BlueCluster', true),
});
const blue2 = resolverDevice({
  machineId: BLUE2,
  address: '10.255.4.1',
  hostname: 'bluebigipveha2.labf.com',
  lastUpdateMicros: 1479332833705600,
  properties: accessMembership('BlueCluster', false),
});
const red1 = resolverDevice({
  machineId: RED1,
  address: '10.255.4.2',
  hostname: 'redbigip1.labf.com',
  httpsPort: 8443,
  lastUpdateMicros: 1479332833705400,
  properties: { 'cm:gui:module': ['BigIPDevice'] },
});
const edge = resolverDevice({
  machineId: EDGE,
  address: '10.1.1.1',
  hostname: 'edge.example.com',
  version: '15.1.0',
  lastUpdateMicros: 1479332833705700,
  properties: { 'cm:gui:module': ['BigIPDevice', 'adc'] },
});
const bigiq = resolverDevice({
  machineId: BIGIQ,
  address: '10.1.1.10',
  hostname: 'bigiq.example.com',
  product: 'BIG-IQ',
  version: '7.1.0',
  lastUpdateMicros: 1479332833705000,
  properties: {},
});
const resolverItems = [blue1, blue2, red1, edge, bigiq];

/** A device group (§9.1); access groups carry both access-group markers (§9.3). */
function deviceGroup(groupName: string, properties: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    groupName,
    displayName: groupName,
    description: '',
    infrastructure: groupName.startsWith('cm-'),
    isViewGroup: false,
    autoManageLocalhost: false,
    properties,
    generation: 1,
    lastUpdateMicros: 1479332833700000,
    kind: 'shared:resolver:device-groups:devicegroupstate',
    selfLink: groupLink(groupName),
  };
}

const deviceGroups = [
  deviceGroup('cm-bigip-allBigIpDevices'),
  deviceGroup('cm-access-allBigIpDevices'),
  deviceGroup('TestGroup', { 'cm:access:access_group': 'true', 'cm:access:config_group': 'true' }),
  // A boolean rather than the string 'true': §4.2 says booleans compare as the string 'true'.
  deviceGroup('RedGroup', { 'cm:access:access_group': true, 'cm:access:config_group': 'true' }),
  deviceGroup('cm-shared-all-big-iqs'),
];

/** `GET .../device-groups/TestGroup/devices`: the source device is marked with the string 'true' (§9.3). */
const testGroupMembers = [
  { ...blue1, properties: { 'cm:access:source-device': 'true' } },
  { ...blue2, properties: { 'cm:access:source-device': 'false' } },
];

/** Device-discovery style tasks referencing resolver items (BULK, F5TEST). */
const discoveryTasks = [
  { id: 't1', status: 'FINISHED', deviceReference: { link: resolverLink(BLUE1) }, lastUpdateMicros: 1000 },
  { id: 't2', status: 'FINISHED', deviceReference: { link: resolverLink(BLUE2) }, lastUpdateMicros: 2000 },
  { id: 't3', status: 'STARTED', deviceReference: { link: resolverLink(BLUE1) }, lastUpdateMicros: 4000 },
  { id: 't4', status: 'FAILED', deviceReference: { link: resolverLink(BLUE1) }, lastUpdateMicros: 3000 },
];

/** Kill-sessions tasks (§7.6–7.7). */
const killTasks = [
  {
    id: 'k1',
    kind: 'cm:access:tasks:kill-sessions:accesskillsessionstaskitemstate',
    name: 'kill-access-sessions',
    status: 'FINISHED',
    currentStep: 'DONE',
    result: 'COMPLETE',
    username: 'admin',
    startDateTime: '2016-11-15T12:42:31.294-0800',
    endDateTime: '2016-11-15T12:42:33.101-0800',
    generation: 4,
    lastUpdateMicros: 1479242553101000,
    selfLink: 'https://localhost/mgmt/cm/access/tasks/kill-sessions/k1',
  },
  {
    id: 'k2',
    kind: 'cm:access:tasks:kill-sessions:accesskillsessionstaskitemstate',
    name: 'kill-access-sessions',
    status: 'FAILED',
    currentStep: 'KILL',
    result: 'FAILED',
    errorMessage: 'Internal Error occurred',
    resultDetails: [{ host: '10.255.4.124', failedIds: ['0a1b2c3d'], deviceReference: { link: resolverLink(BLUE1) } }],
    username: 'admin',
    generation: 5,
    lastUpdateMicros: 1479242653101000,
    selfLink: 'https://localhost/mgmt/cm/access/tasks/kill-sessions/k2',
  },
];

const templates = [
  { name: 'Default-f5-HTTP-lb-template' },
  { name: 'Default-f5-HTTPS-offload-lb-template' },
  { name: 'foo-template' },
  { name: 'myfoobar' },
];

/** ASM virtual servers: one with an attached policy, one with an empty list, one without the field. */
const virtualServers = [
  {
    name: 'vs-policy',
    attachedPoliciesReferences: [{ link: 'https://localhost/mgmt/cm/asm/working-config/policies/p1' }],
  },
  { name: 'vs-empty', attachedPoliciesReferences: [] },
  { name: 'vs-none' },
];

/** Network-access objects as PMTEAM and REVOKE-HOWTO filter them (§4.1). */
const networkAccess = [
  {
    name: 'na-blue1',
    lsoDeviceReference: { link: resolverLink(BLUE1), machineId: BLUE1 },
    isLsoShared: false,
    deviceGroupReference: { link: groupLink('TestGroup') },
  },
  { name: 'na-shared', isLsoShared: true, deviceGroupReference: { link: groupLink('TestGroup') } },
  {
    name: 'na-red1',
    lsoDeviceReference: { link: resolverLink(RED1), machineId: RED1 },
    isLsoShared: false,
    deviceGroupReference: { link: groupLink('RedGroup') },
  },
  {
    name: 'na-blue2',
    lsoDeviceReference: { link: resolverLink(BLUE2), machineId: BLUE2 },
    isLsoShared: false,
    deviceGroupReference: { link: groupLink('TestGroup') },
  },
];

// ---- helpers -----------------------------------------------------------------------------------------------

/** The `key` of every item that `filter` selects, in order. */
function selected(items: Record<string, unknown>[], filter: string, key: string): unknown[] {
  const expr = parseFilter(filter);
  return items.filter((item) => evaluateFilter(expr, item)).map((item) => item[key]);
}

const run = <T extends Record<string, unknown>>(items: T[], query: Record<string, string>) =>
  applyQuery(items, parseQuery(query));

/** Parses a raw query string the way the HTTP layer does (`+` and `%20` decode to a space). */
const fromUrl = (search: string): ODataQuery => parseQuery(Object.fromEntries(new URLSearchParams(search)));

function assertODataError(action: () => unknown, message: string, option: string, position?: number): void {
  assert.throws(action, (error: unknown) => {
    assert.ok(error instanceof ODataError, `expected ODataError, got ${String(error)}`);
    assert.equal(error.message, message);
    assert.equal(error.option, option);
    assert.equal(error.position, position);
    return true;
  });
}

const compare = (field: string, value: string | number, op: 'eq' | 'ne' = 'eq'): FilterExpr => ({
  kind: 'compare',
  op,
  path: [field],
  value,
});

// ---- §4.1 examples -----------------------------------------------------------------------------------------

describe('spec §4.1 $filter examples', () => {
  it("address eq '10.1.1.1' (ANS sends it as address%20eq%20'<ip>' and reads items[0].machineId)", () => {
    assert.deepEqual(selected(resolverItems, "address eq '10.1.1.1'", 'machineId'), [EDGE]);
    const result = applyQuery(resolverItems, fromUrl("$filter=address%20eq%20'10.1.1.1'"));
    assert.equal(result.totalItems, 1);
    assert.equal(result.items[0]?.machineId, EDGE);
  });

  it("('address'+eq+'10.255.4.124'): quoted property, parentheses, + as space", () => {
    assert.deepEqual(selected(resolverItems, "('address'+eq+'10.255.4.124')", 'machineId'), [BLUE1]);
    const fromRaw = applyQuery(resolverItems, fromUrl("$filter=('address'+eq+'10.255.4.124')"));
    assert.deepEqual(
      fromRaw.items.map((item) => item.machineId),
      [BLUE1],
    );
  });

  it("('address' eq '10.255.4.1' or 'address' eq '10.255.4.2' )", () => {
    const filter = "('address' eq '10.255.4.1' or 'address' eq '10.255.4.2' )";
    assert.deepEqual(selected(resolverItems, filter, 'hostname'), ['bluebigipveha2.labf.com', 'redbigip1.labf.com']);
  });

  it("'properties/cm:access:access_group'+eq+'true' with $select=groupName,displayName (KS-HOWTO §1.7)", () => {
    const query = fromUrl("$filter='properties/cm:access:access_group'+eq+'true'&$select=groupName,displayName");
    assert.deepEqual(applyQuery(deviceGroups, query), {
      items: [
        { groupName: 'TestGroup', displayName: 'TestGroup' },
        { groupName: 'RedGroup', displayName: 'RedGroup' },
      ],
      totalItems: 2,
    });
  });

  it("'properties/cm:access:source-device' eq 'true' (access-group members)", () => {
    assert.deepEqual(selected(testGroupMembers, "'properties/cm:access:source-device' eq 'true'", 'machineId'), [
      BLUE1,
    ]);
  });

  it("'properties/cm:access:config_group' eq 'true' with $expand=devicesReference (accepted, no-op)", () => {
    const query = parseQuery({
      $filter: "'properties/cm:access:config_group' eq 'true'",
      $expand: 'devicesReference',
    });
    assert.deepEqual(query.expand, ['devicesReference']);
    assert.deepEqual(
      run(deviceGroups, { $filter: "'properties/cm:access:config_group' eq 'true'" }),
      applyQuery(deviceGroups, query),
    );
    assert.deepEqual(
      applyQuery(deviceGroups, query).items.map((group) => group.groupName),
      ['TestGroup', 'RedGroup'],
    );
  });

  it('status eq STARTED (unquoted literal)', () => {
    assert.deepEqual(selected(discoveryTasks, 'status eq STARTED', 'id'), ['t3']);
  });

  it("uuid eq '<id>' and product eq 'BIG-IQ' (F5TEST MachineIdResolver)", () => {
    assert.deepEqual(selected(resolverItems, `uuid eq '${BLUE2}'`, 'hostname'), ['bluebigipveha2.labf.com']);
    assert.deepEqual(selected(resolverItems, "product eq 'BIG-IQ'", 'machineId'), [BIGIQ]);
  });

  it("name eq '*foo*' (wildcard) and name+eq+'Default-f5-HTTP-lb-template'", () => {
    assert.deepEqual(selected(templates, "name eq '*foo*'", 'name'), ['foo-template', 'myfoobar']);
    assert.deepEqual(selected(templates, "name+eq+'Default-f5-HTTP-lb-template'", 'name'), [
      'Default-f5-HTTP-lb-template',
    ]);
  });

  it("deviceReference/link+eq+'*<machineId>*'+and+status+eq+'FINISHED' (BULK)", () => {
    const filter = `deviceReference/link+eq+'*${BLUE1}*'+and+status+eq+'FINISHED'`;
    assert.deepEqual(selected(discoveryTasks, filter, 'id'), ['t1']);
    assert.deepEqual(
      applyQuery(discoveryTasks, fromUrl(`$filter=${filter}`)).items.map((task) => task.id),
      ['t1'],
    );
  });

  it("attachedPoliciesReferences/link eq '*' means exists", () => {
    assert.deepEqual(selected(virtualServers, "attachedPoliciesReferences/link eq '*'", 'name'), ['vs-policy']);
  });

  it("'lsoDeviceReference/link' eq '*' and 'isLsoShared' eq 'false' and 'deviceGroupReference/link' eq '<link>'", () => {
    const filter = `'lsoDeviceReference/link' eq '*' and 'isLsoShared' eq 'false' and 'deviceGroupReference/link' eq '${groupLink('TestGroup')}'`;
    assert.deepEqual(selected(networkAccess, filter, 'name'), ['na-blue1', 'na-blue2']);
  });

  it("'lsoDeviceReference/machineId' eq '<uuid>' (REVOKE-HOWTO §1.7)", () => {
    assert.deepEqual(selected(networkAccess, `'lsoDeviceReference/machineId' eq '${BLUE2}'`, 'name'), ['na-blue2']);
  });
});

describe('spec §4.1 $select, $top, $orderby, $expand, $skip examples', () => {
  it('$select=status,result,resultDetails,errorMessage keeps only those keys; absent ones stay absent', () => {
    assert.deepEqual(run(killTasks, { $select: 'status,result,resultDetails,errorMessage' }), {
      items: [
        { status: 'FINISHED', result: 'COMPLETE' },
        {
          status: 'FAILED',
          result: 'FAILED',
          resultDetails: [
            { host: '10.255.4.124', failedIds: ['0a1b2c3d'], deviceReference: { link: resolverLink(BLUE1) } },
          ],
          errorMessage: 'Internal Error occurred',
        },
      ],
      totalItems: 2,
    });
  });

  it('$select=status,currentStep,errorMessage (ANS polling)', () => {
    assert.deepEqual(run(killTasks, { $select: 'status,currentStep,errorMessage' }).items, [
      { status: 'FINISHED', currentStep: 'DONE' },
      { status: 'FAILED', currentStep: 'KILL', errorMessage: 'Internal Error occurred' },
    ]);
  });

  it('$select=version on cm-shared-all-big-iqs devices (ANS bigiq_version reads items[0].version)', () => {
    assert.deepEqual(run([bigiq], { $select: 'version' }), { items: [{ version: '7.1.0' }], totalItems: 1 });
  });

  it('$select=selfLink', () => {
    assert.deepEqual(run(killTasks, { $select: 'selfLink' }).items, [
      { selfLink: 'https://localhost/mgmt/cm/access/tasks/kill-sessions/k1' },
      { selfLink: 'https://localhost/mgmt/cm/access/tasks/kill-sessions/k2' },
    ]);
  });

  it('$top=1 returns one item while totalItems counts every match', () => {
    const result = run(resolverItems, { $filter: "product eq 'BIG-IP'", $top: '1' });
    assert.deepEqual(
      result.items.map((item) => item.machineId),
      [BLUE1],
    );
    assert.equal(result.totalItems, 4);
  });

  it('$orderby=lastUpdateMicros desc (F5TEST takes the newest task)', () => {
    const result = run(discoveryTasks, { $orderby: 'lastUpdateMicros desc', $top: '1' });
    assert.deepEqual(
      result.items.map((task) => task.id),
      ['t3'],
    );
    assert.deepEqual(
      run(discoveryTasks, { $orderby: 'lastUpdateMicros desc' }).items.map((task) => task.id),
      ['t3', 't4', 't2', 't1'],
    );
  });

  it('$skip pages after filtering and ordering; totalItems is counted before paging', () => {
    const result = run(resolverItems, {
      $filter: "product eq 'BIG-IP'",
      $orderby: 'address',
      $skip: '1',
      $top: '2',
      $select: 'address',
    });
    assert.deepEqual(result, { items: [{ address: '10.255.4.1' }, { address: '10.255.4.124' }], totalItems: 4 });
    assert.deepEqual(run(resolverItems, { $skip: '10' }), { items: [], totalItems: 5 });
    assert.deepEqual(run(resolverItems, { $top: '0' }), { items: [], totalItems: 5 });
  });
});

// ---- §4.2 grammar ------------------------------------------------------------------------------------------

describe('spec §4.2 minimum $filter grammar', () => {
  it('eq and ne', () => {
    assert.deepEqual(selected(discoveryTasks, "status ne 'FINISHED'", 'id'), ['t3', 't4']);
  });

  it('property names bare or single-quoted parse to the same path', () => {
    assert.deepEqual(parseFilter("'address' eq '10.1.1.1'"), parseFilter("address eq '10.1.1.1'"));
  });

  it('/ paths into nested objects, including keys with colons', () => {
    assert.deepEqual(parseFilter("'properties/cm-access-allBigIpDevices/cm:access:access-group-name' eq 'TestGroup'"), {
      kind: 'compare',
      op: 'eq',
      path: ['properties', 'cm-access-allBigIpDevices', 'cm:access:access-group-name'],
      value: 'TestGroup',
    });
    const filter = "properties/cm-access-allBigIpDevices/clusterName eq 'BlueCluster'";
    assert.deepEqual(selected(resolverItems, filter, 'machineId'), [BLUE1, BLUE2]);
  });

  it('values single-quoted or bare', () => {
    assert.deepEqual(
      selected(discoveryTasks, 'status eq FAILED', 'id'),
      selected(discoveryTasks, "status eq 'FAILED'", 'id'),
    );
  });

  it("* globs are anchored and literal elsewhere; '*' alone matches any present value", () => {
    assert.deepEqual(selected(resolverItems, "hostname eq 'blue*'", 'machineId'), [BLUE1, BLUE2]);
    assert.deepEqual(selected(resolverItems, "hostname eq '*labf'", 'machineId'), []);
    assert.deepEqual(selected(resolverItems, "address eq '10.255.4.*'", 'machineId'), [BLUE1, BLUE2, RED1]);
    assert.equal(evaluateFilter(parseFilter("address eq '10.255.4.*'"), { address: '10x255x4x1' }), false);
    assert.equal(evaluateFilter(parseFilter("deviceReference eq '*'"), discoveryTasks[0] ?? {}), true);
    assert.deepEqual(selected(virtualServers, "attachedPoliciesReferences/link ne '*'", 'name'), [
      'vs-empty',
      'vs-none',
    ]);
  });

  it('+ and %20 both decode to a space', () => {
    const expected = fromUrl("$filter=address eq '10.1.1.1'");
    assert.deepEqual(fromUrl("$filter=address+eq+'10.1.1.1'"), expected);
    assert.deepEqual(fromUrl("$filter=address%20eq%20'10.1.1.1'"), expected);
    assert.deepEqual(parseFilter("address+eq+'10.1.1.1'"), expected.filter);
  });

  it("booleans compare as the string 'true'", () => {
    assert.deepEqual(selected(deviceGroups, "'properties/cm:access:access_group' eq true", 'groupName'), [
      'TestGroup',
      'RedGroup',
    ]);
    const filter = "'properties/cm-access-allBigIpDevices/cm:access:source-device' eq 'true'";
    assert.deepEqual(selected(resolverItems, filter, 'machineId'), [BLUE1]);
  });
});

// ---- parser ------------------------------------------------------------------------------------------------

describe('$filter parser', () => {
  it("gives 'not' precedence over 'and', and 'and' over 'or'", () => {
    assert.deepEqual(parseFilter("a eq 1 or b eq 2 and not c eq 'x'"), {
      kind: 'or',
      left: compare('a', 1),
      right: { kind: 'and', left: compare('b', 2), right: { kind: 'not', operand: compare('c', 'x') } },
    });
  });

  it('lets parentheses override precedence', () => {
    assert.deepEqual(parseFilter("(a eq 1 or b eq 2) and not (c eq 'x' or c eq 'y')"), {
      kind: 'and',
      left: { kind: 'or', left: compare('a', 1), right: compare('b', 2) },
      right: { kind: 'not', operand: { kind: 'or', left: compare('c', 'x'), right: compare('c', 'y') } },
    });
    const loose = "status eq 'FAILED' or status eq 'FINISHED' and lastUpdateMicros lt 1500";
    const grouped = "(status eq 'FAILED' or status eq 'FINISHED') and lastUpdateMicros lt 1500";
    assert.deepEqual(selected(discoveryTasks, loose, 'id'), ['t1', 't4']);
    assert.deepEqual(selected(discoveryTasks, grouped, 'id'), ['t1']);
    assert.deepEqual(selected(discoveryTasks, 'not (lastUpdateMicros gt 1500) or status eq STARTED', 'id'), [
      't1',
      't3',
    ]);
  });

  it("unescapes '' inside strings", () => {
    assert.deepEqual(parseFilter("name eq 'O''Brien'"), compare('name', "O'Brien"));
    assert.deepEqual(parseFilter("name eq ''''"), compare('name', "'"));
    assert.equal(evaluateFilter(parseFilter("'name' eq 'O''Brien''s group'"), { name: "O'Brien's group" }), true);
  });

  it('reads keywords and operators case-insensitively, names and values case-sensitively', () => {
    const filter = "address EQ '10.255.4.124' Or NOT product Eq 'BIG-IP' AND state eq ACTIVE";
    assert.deepEqual(selected(resolverItems, filter, 'machineId'), [BLUE1, BIGIQ]);
    assert.deepEqual(selected(resolverItems, "Address eq '10.255.4.124'", 'machineId'), []);
    assert.deepEqual(selected(discoveryTasks, "status eq 'finished'", 'id'), []);
  });

  it('classifies bare values: numbers, true/false/null, and otherwise strings', () => {
    const value = (text: string) => {
      const expr = parseFilter(`x eq ${text}`);
      return expr.kind === 'compare' ? expr.value : undefined;
    };
    assert.equal(value('443'), 443);
    assert.equal(value('-1.5e3'), -1500);
    assert.equal(value('TRUE'), true);
    assert.equal(value('false'), false);
    assert.equal(value('null'), null);
    assert.equal(value('10.1.1.1'), '10.1.1.1');
    assert.equal(value('STARTED'), 'STARTED');
    assert.equal(value("'443'"), '443');
  });

  it('parses substringof, startswith, endswith and contains, with the OData v2 "eq true|false" form', () => {
    assert.deepEqual(parseFilter("substringof('blue', hostname)"), {
      kind: 'function',
      name: 'substringof',
      path: ['hostname'],
      value: 'blue',
    });
    assert.deepEqual(selected(resolverItems, "substringof('blue', hostname)", 'machineId'), [BLUE1, BLUE2]);
    assert.deepEqual(selected(resolverItems, "startswith(hostname,'red')", 'machineId'), [RED1]);
    assert.deepEqual(selected(resolverItems, "endswith('hostname', '.example.com')", 'machineId'), [EDGE, BIGIQ]);
    assert.deepEqual(selected(resolverItems, "contains(properties/cm:gui:module, 'Acc')", 'machineId'), [BLUE1, BLUE2]);
    assert.deepEqual(selected(resolverItems, "StartsWith(hostname,'blue') eq false", 'machineId'), [RED1, EDGE, BIGIQ]);
    assert.deepEqual(selected(resolverItems, "startswith(hostname,'blue') ne false", 'machineId'), [BLUE1, BLUE2]);
  });
});

// ---- evaluator ---------------------------------------------------------------------------------------------

describe('$filter evaluation', () => {
  it('treats a missing field as null', () => {
    const filter = 'properties/cm-access-allBigIpDevices/clusterName eq null';
    assert.deepEqual(selected(resolverItems, filter, 'machineId'), [RED1, EDGE, BIGIQ]);
    assert.deepEqual(selected(killTasks, 'errorMessage ne null', 'id'), ['k2']);
    assert.deepEqual(selected(killTasks, "errorMessage ne 'Internal Error occurred'", 'id'), ['k1']);
    assert.deepEqual(selected(killTasks, "errorMessage gt 'A'", 'id'), ['k2']);
  });

  it('compares numbers numerically, also against numeric strings', () => {
    assert.deepEqual(selected(resolverItems, "httpsPort eq '8443'", 'machineId'), [RED1]);
    assert.deepEqual(selected(resolverItems, 'httpsPort gt 443', 'machineId'), [RED1]);
    assert.deepEqual(selected(resolverItems, 'httpsPort le 443', 'machineId'), [BLUE1, BLUE2, EDGE, BIGIQ]);
    assert.deepEqual(selected(discoveryTasks, 'lastUpdateMicros ge 3000 and lastUpdateMicros lt 4000', 'id'), ['t4']);
    // Two strings compare as text, even when they look like numbers: '7.1.0' gt '13'.
    assert.deepEqual(selected(resolverItems, "version gt '13'", 'machineId'), [EDGE, BIGIQ]);
  });

  it('matches a comparison against any element of an array', () => {
    assert.deepEqual(selected(resolverItems, "'properties/cm:gui:module' eq 'Access'", 'machineId'), [BLUE1, BLUE2]);
    assert.deepEqual(selected(resolverItems, "'properties/cm:gui:module' ne 'adc'", 'machineId'), [RED1, BIGIQ]);
    assert.deepEqual(selected(resolverItems, "slots/version eq '15.1.0'", 'machineId'), [EDGE]);
  });

  it('also accepts . as a path separator, preferring an exact key that contains dots', () => {
    const filter = "'properties.cm-access-allBigIpDevices.clusterName' eq 'BlueCluster'";
    assert.deepEqual(selected(resolverItems, filter, 'machineId'), [BLUE1, BLUE2]);
    const item = {
      hosts: { 'bigip.example.com': { state: 'ACTIVE' }, bigip: { example: { com: { state: 'STANDBY' } } } },
    };
    assert.equal(evaluateFilter(parseFilter("hosts/bigip.example.com/state eq 'ACTIVE'"), item), true);
  });
});

// ---- errors ------------------------------------------------------------------------------------------------

describe('$filter errors', () => {
  const cases: [filter: string, message: string, position: number][] = [
    ["name eq 'abc", 'unterminated string starting at position 8', 8],
    ["name like 'a'", "unknown operator 'like' at position 5; expected eq, ne, gt, ge, lt or le", 5],
    [
      "name eq 'a' and",
      "unexpected end of input at position 15; expected a property name, a function, 'not' or '('",
      15,
    ],
    [
      "name eq 'a' or or b eq 1",
      "unexpected token 'or' at position 15; expected a property name, a function, 'not' or '('",
      15,
    ],
    ['name eq', 'unexpected end of input at position 7; expected a value', 7],
    ["(name eq 'a'", "unexpected end of input at position 12; expected ')'", 12],
    ["name eq 'a')", "unexpected ')' at position 11; expected 'and', 'or' or end of input", 11],
    ["name eq 'a' 'b'", "unexpected string 'b' at position 12; expected 'and', 'or' or end of input", 12],
    ['', "unexpected end of input at position 0; expected a property name, a function, 'not' or '('", 0],
    ['properties//x eq 1', "empty segment in property path 'properties//x' at position 0", 0],
    [
      "tolower(name) eq 'x'",
      "unknown function 'tolower' at position 0; expected substringof, startswith, endswith or contains",
      0,
    ],
    ["startswith(name 'x')", "unexpected string 'x' at position 16; expected ','", 16],
    [
      "substringof('x', name) eq 'maybe'",
      "unexpected string 'maybe' at position 26; expected true or false after 'eq'",
      26,
    ],
    [
      'properties/"cm:access:access_group" eq 1',
      `unexpected character '"' at position 11; expected single quotes around names and values`,
      11,
    ],
  ];

  for (const [filter, message, position] of cases) {
    it(`rejects ${JSON.stringify(filter)}`, () => {
      assertODataError(() => parseFilter(filter), `Invalid $filter: ${message}`, '$filter', position);
      assertODataError(() => parseQuery({ $filter: filter }), `Invalid $filter: ${message}`, '$filter', position);
    });
  }
});

describe('$filter budget (docs/security.md)', () => {
  const comparison = "name eq 'a'";

  it(`accepts ${FILTER_LIMITS.maxDepth} levels of parentheses and 'not', and refuses one more`, () => {
    const nested = (depth: number) => `${'('.repeat(depth)}${comparison}${')'.repeat(depth)}`;
    assert.doesNotThrow(() => parseFilter(nested(FILTER_LIMITS.maxDepth)));
    assertODataError(
      () => parseFilter(nested(FILTER_LIMITS.maxDepth + 1)),
      `Invalid $filter: nesting deeper than ${FILTER_LIMITS.maxDepth} (parentheses and 'not') at position ${FILTER_LIMITS.maxDepth}`,
      '$filter',
      FILTER_LIMITS.maxDepth,
    );
    assert.doesNotThrow(() => parseFilter(`${'not '.repeat(FILTER_LIMITS.maxDepth)}${comparison}`));
    assert.throws(() => parseFilter(`${'not '.repeat(FILTER_LIMITS.maxDepth + 1)}${comparison}`), ODataError);
  });

  it('refuses 3,000 nested parentheses with an ODataError, not a stack overflow', () => {
    assert.throws(() => parseFilter(`${'('.repeat(3000)}${comparison}${')'.repeat(3000)}`), ODataError);
    assert.throws(() => parseFilter(`${'not '.repeat(3000)}${comparison}`), ODataError);
  });

  it(`refuses more than ${FILTER_LIMITS.maxNodes} nodes and more than ${FILTER_LIMITS.maxLength} characters`, () => {
    // Each comparison and each 'or' is a node: n comparisons make 2n - 1 nodes.
    const terms = (count: number) => Array.from({ length: count }, (_, i) => `n eq ${i}`).join(' or ');
    const fitting = Math.floor((FILTER_LIMITS.maxNodes + 1) / 2);
    assert.doesNotThrow(() => parseFilter(terms(fitting)));
    assert.throws(() => parseFilter(terms(fitting + 1)), /Invalid \$filter: more than \d+ terms and operators/);
    assertODataError(
      () => parseFilter(`name eq '${'x'.repeat(FILTER_LIMITS.maxLength)}'`),
      `Invalid $filter: longer than ${FILTER_LIMITS.maxLength} characters`,
      '$filter',
      FILTER_LIMITS.maxLength,
    );
  });

  it('matches pathological wildcard patterns in linear time, and still correctly', () => {
    const link = `https://localhost/mgmt/shared/authz/tokens/${'A'.repeat(40)}`;
    const started = performance.now();
    assert.equal(evaluateFilter(parseFilter("selfLink eq '******Z'"), { selfLink: link }), false);
    assert.equal(evaluateFilter(parseFilter(`selfLink eq '${'*A'.repeat(30)}*Z'`), { selfLink: link }), false);
    assert.equal(evaluateFilter(parseFilter("selfLink eq '******A'"), { selfLink: link }), true);
    assert.equal(evaluateFilter(parseFilter("selfLink eq 'https://*/tokens/*A'"), { selfLink: link }), true);
    assert.equal(evaluateFilter(parseFilter("selfLink eq 'https://*/token/*'"), { selfLink: link }), false);
    assert.ok(performance.now() - started < 1000, 'a sanity guard: the regex took 30 s');
  });
});

describe('query option errors and parsing', () => {
  it('rejects $top and $skip that are not non-negative integers', () => {
    for (const value of ['-1', 'abc', '1.5', '', ' ', '1e3', '99999999999999999999']) {
      assertODataError(
        () => parseQuery({ $top: value }),
        `Invalid $top: expected a non-negative integer, got '${value}'`,
        '$top',
      );
    }
    assertODataError(
      () => parseQuery({ $skip: '-3' }),
      "Invalid $skip: expected a non-negative integer, got '-3'",
      '$skip',
    );
  });

  it('rejects unknown $ options, including $count and $inlinecount that the spec does not list', () => {
    const supported = 'supported: $filter, $select, $top, $skip, $orderby, $expand';
    assertODataError(() => parseQuery({ $xyz: '1' }), `Unsupported query option '$xyz'; ${supported}`, '$xyz');
    assertODataError(() => parseQuery({ $count: 'true' }), `Unsupported query option '$count'; ${supported}`, '$count');
    assertODataError(
      () => parseQuery({ $inlinecount: 'allpages' }),
      `Unsupported query option '$inlinecount'; ${supported}`,
      '$inlinecount',
    );
  });

  it('rejects an option given twice, malformed $orderby, and empty $select names', () => {
    assertODataError(() => parseQuery({ $top: ['1', '2'] }), 'Invalid $top: given more than once', '$top');
    assertODataError(
      () => parseQuery({ $orderby: 'lastUpdateMicros sideways' }),
      "Invalid $orderby: expected '<property> [asc|desc]', got 'lastUpdateMicros sideways'",
      '$orderby',
    );
    assertODataError(
      () => parseQuery({ $orderby: 'name,' }),
      "Invalid $orderby: expected '<property> [asc|desc]', got ''",
      '$orderby',
    );
    assertODataError(
      () => parseQuery({ $select: 'status,,result' }),
      "Invalid $select: empty name in 'status,,result'",
      '$select',
    );
  });

  it('ignores route parameters without $ and options whose value is undefined', () => {
    assert.deepEqual(parseQuery({ options: 'logon-user', expandSubcollections: 'true', $filter: undefined }), {});
  });

  it('parses every option into one query', () => {
    const query = parseQuery({
      $filter: 'status eq STARTED',
      $select: ' status , currentStep ',
      $top: '5',
      $skip: '0',
      $orderby: "lastUpdateMicros DESC, 'deviceReference/link'",
      $expand: 'devicesReference',
    });
    assert.deepEqual(query, {
      filter: compare('status', 'STARTED'),
      select: ['status', 'currentStep'],
      top: 5,
      skip: 0,
      orderBy: [
        { path: ['lastUpdateMicros'], direction: 'desc' },
        { path: ['deviceReference', 'link'], direction: 'asc' },
      ],
      expand: ['devicesReference'],
    });
  });
});

describe('applyQuery ordering and projection', () => {
  it('sorts stably, nulls first ascending and last descending, by several keys', () => {
    const rows = [
      { id: 'a', group: 'x', rank: 2 },
      { id: 'b', group: 'y' },
      { id: 'c', group: 'x', rank: 1 },
      { id: 'd', group: 'x', rank: 2 },
      { id: 'e', group: 'y', rank: 10 },
    ];
    const ids = (query: Record<string, string>) => run(rows, query).items.map((row) => row.id);
    assert.deepEqual(ids({ $orderby: 'rank' }), ['b', 'c', 'a', 'd', 'e']);
    assert.deepEqual(ids({ $orderby: 'rank desc' }), ['e', 'a', 'd', 'c', 'b']);
    assert.deepEqual(ids({ $orderby: 'group desc, rank asc' }), ['b', 'e', 'c', 'a', 'd']);
  });

  it('orders strings by plain code units and nested paths by their value', () => {
    const rows = [{ name: 'b' }, { name: 'B' }, { name: 'a' }, { name: 'A' }];
    assert.deepEqual(
      run(rows, { $orderby: 'name' }).items.map((row) => row.name),
      ['A', 'B', 'a', 'b'],
    );
    const byCluster = run(resolverItems, {
      $orderby: 'properties/cm-access-allBigIpDevices/clusterName desc, address',
    });
    assert.deepEqual(
      byCluster.items.map((item) => item.machineId),
      [BLUE2, BLUE1, EDGE, BIGIQ, RED1],
    );
  });

  it('returns every item untouched for an empty query and does not mutate the input', () => {
    const input = [...discoveryTasks];
    const result = applyQuery(input, parseQuery({ $orderby: 'lastUpdateMicros desc' }));
    assert.deepEqual(input, discoveryTasks);
    assert.equal(result.items[0], discoveryTasks[2]);
    assert.deepEqual(applyQuery(resolverItems, {}), { items: resolverItems, totalItems: 5 });
  });

  it('keeps only selected top-level keys, including whole nested objects', () => {
    const result = run(resolverItems, { $filter: `machineId eq '${BLUE1}'`, $select: 'properties,missing' });
    assert.deepEqual(result.items, [{ properties: blue1.properties }]);
  });
});
