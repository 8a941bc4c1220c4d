// The shared BIG-IQ link helpers (docs/compat/bigiq.md §2–3): device references in every form clients send, BIG-IQ's
// task time format and the collection envelope.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bigiqTime, collection, deviceIdFromLink, LOCALHOST, machineIdLink } from '../src/http/bigiq/links.js';
import { RED_ID } from './support/seed-fleet.js';

describe('BIG-IQ link helpers', () => {
  it('machineIdLink is the localhost machineid-resolver selfLink', () => {
    assert.equal(machineIdLink('abc'), `${LOCALHOST}/mgmt/cm/system/machineid-resolver/abc`);
  });

  it('deviceIdFromLink accepts every form clients send and keys on the trailing segment', () => {
    const id = '901695c8-f405-489f-9996-54f7b21da642';
    for (const link of [
      `https://localhost/mgmt/cm/system/machineid-resolver/${id}`,
      `http://localhost/mgmt/cm/system/machineid-resolver/${id}`,
      `/mgmt/cm/system/machineid-resolver/${id}`,
      `/cm/system/machineid-resolver/${id}`,
      `http://localhost/mgmt/cm/system/machineid-resolver/cm/system/machineid-resolver/${id}`,
      `http://localhost:8100/cm/system/machineid-resolver/${id}/`,
    ]) {
      assert.equal(deviceIdFromLink(link), id, link);
    }
    assert.equal(deviceIdFromLink(machineIdLink(RED_ID)), RED_ID, 'malformed ids come back as they are');
    const member = `https://localhost/mgmt/shared/resolver/device-groups/cm-bigip-allBigIpDevices/devices/${RED_ID}`;
    assert.equal(deviceIdFromLink(member), RED_ID, 'a device-group member selfLink names the device');
  });

  it('deviceIdFromLink rejects links that are not device references', () => {
    for (const link of [
      '',
      'https://localhost/mgmt/cm/system/machineid-resolver',
      'https://localhost/mgmt/cm/system/machineid-resolver/',
      'https://localhost/mgmt/shared/resolver/device-groups/TestGroup',
      'https://10.0.0.1/mgmt/cm/system/machineid-resolver/abc',
      'https://localhost/mgmt/cm/system/machineid-resolver/abc/stats',
    ]) {
      assert.equal(deviceIdFromLink(link), undefined, link);
    }
  });

  it('bigiqTime is local time with milliseconds and a colon-less offset', () => {
    const ms = Date.UTC(2016, 10, 15, 20, 42, 31, 294);
    const text = bigiqTime(ms);
    assert.match(text, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.294[+-]\d{4}$/);
    assert.equal(Date.parse(text.replace(/([+-]\d\d)(\d\d)$/, '$1:$2')), ms);
  });

  it('collection carries every wrapper key', () => {
    const body = collection('k', 'https://localhost/mgmt/x', [], 0);
    assert.deepEqual(Object.keys(body).sort(), [
      'generation',
      'items',
      'kind',
      'lastUpdateMicros',
      'selfLink',
      'totalItems',
    ]);
  });
});
