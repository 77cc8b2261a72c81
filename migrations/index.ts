import type { Migration } from 'kysely';
import * as core from './2026-11-25-0001-core.js';
import * as referenceEntities from './2026-11-25-0002-reference-entities.js';
import * as operations from './2026-11-25-0003-operations.js';
import * as gongSpecShapes from './2026-11-26-0004-gong-spec-shapes.js';
import * as requestLog from './2026-11-26-0005-request-log.js';
import * as analystModel from './2026-11-26-0006-analyst-model.js';
import * as rereadAutomaticReviews from './2026-12-03-0007-reread-automatic-reviews.js';
import * as callOutcomes from './2026-12-03-0009-call-outcomes.js';
import * as folderEntriesPerClip from './2026-12-03-0008-folder-entries-per-clip.js';
import * as moreUtcCopies from './2026-12-03-0012-more-utc-copies.js';
import * as postgresNativeTypes from './2026-12-03-0010-postgres-native-types.js';
import * as utcTextForm from './2026-12-03-0011-utc-text-form.js';
import * as fullTextPerStatement from './2026-12-03-0013-full-text-per-statement.js';
import * as mirrorBookkeeping from './2026-12-03-0020-mirror-bookkeeping.js';
import * as callCompleteness from './2026-12-03-0021-call-completeness.js';
import * as mcpLiveRequests from './2026-12-03-0025-mcp-live-requests.js';
import * as compactTranscriptSentences from './2026-12-03-0030-compact-transcript-sentences.js';
import * as childrenWithoutStamps from './2026-12-03-0031-children-without-stamps.js';
import * as extensiveJsonFromTables from './2026-12-03-0032-extensive-json-from-tables.js';
import * as partyBySpeaker from './2026-12-03-0033-party-by-speaker.js';
import * as transcriptLinesByCall from './2026-12-03-0034-transcript-lines-by-call.js';
import * as extensiveJsonFewerSteps from './2026-12-03-0035-extensive-json-fewer-steps.js';

/** Every migration, by sortable name. Listed explicitly so they load under vitest and from dist alike. */
export const migrations: Record<string, Migration> = {
  '2026-11-25-0001-core': core,
  '2026-11-25-0002-reference-entities': referenceEntities,
  '2026-11-25-0003-operations': operations,
  '2026-11-26-0004-gong-spec-shapes': gongSpecShapes,
  '2026-11-26-0005-request-log': requestLog,
  '2026-11-26-0006-analyst-model': analystModel,
  '2026-12-03-0007-reread-automatic-reviews': rereadAutomaticReviews,
  '2026-12-03-0008-folder-entries-per-clip': folderEntriesPerClip,
  '2026-12-03-0009-call-outcomes': callOutcomes,
  '2026-12-03-0010-postgres-native-types': postgresNativeTypes,
  '2026-12-03-0011-utc-text-form': utcTextForm,
  '2026-12-03-0012-more-utc-copies': moreUtcCopies,
  '2026-12-03-0013-full-text-per-statement': fullTextPerStatement,
  '2026-12-03-0020-mirror-bookkeeping': mirrorBookkeeping,
  '2026-12-03-0021-call-completeness': callCompleteness,
  '2026-12-03-0025-mcp-live-requests': mcpLiveRequests,
  '2026-12-03-0030-compact-transcript-sentences': compactTranscriptSentences,
  '2026-12-03-0031-children-without-stamps': childrenWithoutStamps,
  '2026-12-03-0032-extensive-json-from-tables': extensiveJsonFromTables,
  '2026-12-03-0033-party-by-speaker': partyBySpeaker,
  '2026-12-03-0034-transcript-lines-by-call': transcriptLinesByCall,
  '2026-12-03-0035-extensive-json-fewer-steps': extensiveJsonFewerSteps,
};
