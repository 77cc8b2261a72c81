/** gong-sync as a library: the reference's interface, the sync engine, and the simulator. */
export { createGong, execute, type ExecuteRequest, type GongOptions, type ListResult, type Pagination } from './api/gong.js';
export type * from './api/types.js';
export { ACTIONS, findAction, validateParams, type ActionSpec, type ParamSpec } from './api/actions.js';
export { GongClient, type GongAuth, type GongClientOptions } from './gong/client.js';
export { RequestPacer } from './gong/pacer.js';
export { runSync, type SyncOptions, type SyncReport } from './runner/sync.js';
export { openDatabase, migrateToLatest } from './db/database.js';
export { streams } from '../streams/index.js';
export { GongSimulator, DEMO_CREDENTIALS } from './simulator/server.js';
export { SimulatedAccount } from './simulator/dataset.js';
export * from './errors.js';
