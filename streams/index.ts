import type { StreamDefinition } from './types.js';
import { users } from './users.js';
import { workspaces } from './workspaces.js';
import { calls } from './calls.js';
import { callsExtensive } from './calls-extensive.js';
import { callTranscripts } from './call-transcripts.js';
import { statsActivityAggregate } from './stats-activity-aggregate.js';
import { statsActivityDayByDay } from './stats-activity-day-by-day.js';
import { statsInteraction } from './stats-interaction.js';
import { settingsScorecards } from './settings-scorecards.js';
import { settingsTrackers } from './settings-trackers.js';
import { libraryFolders } from './library-folders.js';
import { libraryFolderContent } from './library-folder-content.js';
import { coaching } from './coaching.js';
import { statsActivityScorecards } from './stats-activity-scorecards.js';
import { callAudio } from './call-audio.js';
import { callVideo } from './call-video.js';
import { callOutcomes } from './call-outcomes.js';

/** Every stream, in the order a sync runs them: parents before the streams fed by their ids. */
export const streams: StreamDefinition[] = [
  users,
  workspaces,
  calls,
  callsExtensive,
  callTranscripts,
  statsActivityAggregate,
  statsActivityDayByDay,
  statsInteraction,
  settingsScorecards,
  settingsTrackers,
  libraryFolders,
  libraryFolderContent,
  coaching,
  statsActivityScorecards,
  callOutcomes,
  callAudio,
  callVideo,
];

/** Streams a plain `sync` leaves out unless named: they download files. */
export const OPT_IN_STREAMS = ['call_audio', 'call_video'];

export const streamNames = streams.map((s) => s.name);

export function findStream(name: string): StreamDefinition | undefined {
  return streams.find((s) => s.name === name);
}

export type { StreamDefinition } from './types.js';
