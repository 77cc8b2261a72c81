import type { StreamDefinition } from './types.js';
import { users } from './users.js';
import { workspaces } from './workspaces.js';
import { calls } from './calls.js';
import { callTranscripts } from './call-transcripts.js';
import { statsActivityScorecards } from './stats-activity-scorecards.js';
import { settingsScorecards } from './settings-scorecards.js';

/** Every stream, in the order a sync runs them: parents before the streams fed by their ids. */
export const streams: StreamDefinition[] = [users, workspaces, calls, callTranscripts, statsActivityScorecards, settingsScorecards];

export const streamNames = streams.map((s) => s.name);

export function findStream(name: string): StreamDefinition | undefined {
  return streams.find((s) => s.name === name);
}

export type { StreamDefinition } from './types.js';
