// The records the engine's services hand to the edges. They are defined with the storage port (what is stored is
// what is shown); the edges import them from here, never from src/store (the import check enforces it).
export type {
  ConfigTransactionRecord,
  CurfewViolation,
  LoginSessionRecord,
  PreventionState,
  SessionCountField,
  SessionKill,
  SessionSearch,
  SessionSortField,
  SessionWithDevice,
  StoredToken,
  TargetOutcome,
} from '../store/store.js';
