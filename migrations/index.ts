import type { Migration } from 'kysely';
import * as core from './2026-11-25-0001-core.js';
import * as referenceEntities from './2026-11-25-0002-reference-entities.js';
import * as operations from './2026-11-25-0003-operations.js';

/** Every migration, by sortable name. Listed explicitly so they load under vitest and from dist alike. */
export const migrations: Record<string, Migration> = {
  '2026-11-25-0001-core': core,
  '2026-11-25-0002-reference-entities': referenceEntities,
  '2026-11-25-0003-operations': operations,
};
