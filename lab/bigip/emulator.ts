// Lab BIG-IP emulator: public entry. `LabFleet.start(options)` runs a fleet of emulated devices in this process.

export { LAB_ADDRESS } from '../fleet-base.js';
export type { DataGroupRecord, PolicySetting } from './data-groups.js';
export { DEFAULT_POLICY_DATA_GROUP } from './data-groups.js';
export type { LabCounters, LabFault, RequestKind } from './faults.js';
export { LAB_FAULTS } from './faults.js';
export type { LabDeviceInfo, LabFleetOptions, NewLabSession } from './fleet.js';
export { LabFleet, LabLogonDenied } from './fleet.js';
export { LAB_ADMIN } from './routes.js';
export type { LabSession } from './session-set.js';
