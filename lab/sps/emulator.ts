// Lab SPS emulator: public entry. `SpsLabFleet.start(options)` runs a fleet of emulated appliances in this process.

export type { LabFault } from '../bigip/faults.js';
export { LAB_FAULTS } from '../bigip/faults.js';
export type { SpsCounters, SpsProtocol, SpsRequestKind } from './device.js';
export type { NewSpsSession, SpsLabDeviceInfo, SpsLabFleetOptions, SpsLabSession } from './fleet.js';
export { SpsLabFleet } from './fleet.js';
export { SPS_ADMIN } from './routes.js';
