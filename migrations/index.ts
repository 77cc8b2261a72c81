import type { Migration } from 'kysely';
import * as core from './2026-11-25-0001-core.js';
import * as referenceEntities from './2026-11-25-0002-reference-entities.js';
import * as operations from './2026-11-25-0003-operations.js';
import * as gongSpecShapes from './2026-11-26-0004-gong-spec-shapes.js';
import * as requestLog from './2026-11-26-0005-request-log.js';
import * as analystModel from './2026-11-26-0006-analyst-model.js';
import * as rereadAutomaticReviews from './2026-12-03-0007-reread-automatic-reviews.js';
import * as postgresNativeTypes from './2026-12-03-0010-postgres-native-types.js';
import * as utcTextForm from './2026-12-03-0011-utc-text-form.js';
import * as moreUtcCopies from './2026-12-03-0012-more-utc-copies.js';
import * as fullTextPerStatement from './2026-12-03-0013-full-text-per-statement.js';

/** Every migration, by sortable name. Listed explicitly so they load under vitest and from dist alike. */
export const migrations: Record<string, Migration> = {
  '2026-11-25-0001-core': core,
  '2026-11-25-0002-reference-entities': referenceEntities,
  '2026-11-25-0003-operations': operations,
  '2026-11-26-0004-gong-spec-shapes': gongSpecShapes,
  '2026-11-26-0005-request-log': requestLog,
  '2026-11-26-0006-analyst-model': analystModel,
  '2026-12-03-0007-reread-automatic-reviews': rereadAutomaticReviews,
  '2026-12-03-0010-postgres-native-types': postgresNativeTypes,
  '2026-12-03-0011-utc-text-form': utcTextForm,
  '2026-12-03-0012-more-utc-copies': moreUtcCopies,
  '2026-12-03-0013-full-text-per-statement': fullTextPerStatement,
};
