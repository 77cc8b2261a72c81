import type { GongClient } from '../gong/client.js';
import type { ExecuteRequest, ListResult } from './gong.js';

/** Records as Gong returns them: the documented fields, and whatever else Gong adds. */
export type GongRecord = Record<string, unknown>;

export interface User extends GongRecord {
  id: string;
  emailAddress?: string;
  firstName?: string;
  lastName?: string;
  title?: string | null;
  managerId?: string | null;
  active?: boolean;
  created?: string;
}

export interface Call extends GongRecord {
  id: string;
  url?: string;
  title?: string;
  scheduled?: string;
  started?: string;
  duration?: number;
  primaryUserId?: string;
  workspaceId?: string;
  isPrivate?: boolean;
}

export interface ExtensiveCall extends GongRecord {
  metaData: Call;
  parties?: GongRecord[];
  content?: GongRecord;
  interaction?: GongRecord;
  collaboration?: GongRecord;
  media?: { audioUrl?: string; videoUrl?: string };
}

export interface CallTranscript extends GongRecord {
  callId: string;
  transcript: Array<{ speakerId: string; topic?: string; sentences: Array<{ start: number; end: number; text: string }> }>;
}

export type Cursor = { cursor?: string };
export type DateTimeFilter = { fromDateTime?: string; toDateTime?: string };
export type StatsFilter = {
  filter: { fromDate: string; toDate: string; userIds?: string[]; createdFromDateTime?: string; createdToDateTime?: string };
} & Cursor;
export type MediaParams = {
  filter: { callIds: [string] | string[] };
  contentSelector?: { exposedFields?: { media?: boolean } };
  /** e.g. 'bytes=0-99' */
  range_header?: string;
};

type List<P, R = GongRecord> = { list(params?: P): Promise<ListResult<R>> };

export interface Gong {
  client: GongClient;
  users: List<Cursor, User> & { get(params: { id: string }): Promise<User> };
  calls: {
    list(params: { fromDateTime: string; toDateTime: string; workspaceId?: string } & Cursor): Promise<ListResult<Call>>;
    get(params: { id: string }): Promise<Call>;
  };
  callsExtensive: {
    list(
      params: {
        filter: DateTimeFilter & { callIds?: string[]; workspaceId?: string; primaryUserIds?: string[] };
        contentSelector?: GongRecord;
      } & Cursor,
    ): Promise<ListResult<ExtensiveCall>>;
  };
  callAudio: { download(params: MediaParams): Promise<AsyncIterable<Uint8Array>> };
  callVideo: { download(params: MediaParams): Promise<AsyncIterable<Uint8Array>> };
  workspaces: List<Record<string, never>>;
  callTranscripts: List<{ filter?: DateTimeFilter & { callIds?: string[] } } & Cursor, CallTranscript>;
  statsActivityAggregate: List<StatsFilter>;
  statsActivityDayByDay: List<StatsFilter>;
  statsInteraction: List<StatsFilter>;
  settingsScorecards: List<Record<string, never>>;
  settingsTrackers: List<{ workspaceId?: string }>;
  libraryFolders: { list(params: { workspaceId: string }): Promise<ListResult> };
  libraryFolderContent: { list(params: { folderId: string }): Promise<ListResult> };
  coaching: { list(params: { workspaceId: string; managerId: string; from: string; to: string }): Promise<ListResult> };
  /** filter: Gong's callFromDate, callToDate, reviewFromDate, reviewToDate, reviewedUserIds, scorecardIds (fromDateTime/toDateTime are translated). */
  statsActivityScorecards: List<{ filter?: GongRecord } & Cursor>;
  /** The company's call outcome definitions (GET /v2/call-outcomes). */
  callOutcomes: List<Record<string, never>>;
  execute(request: ExecuteRequest): Promise<ListResult | GongRecord | AsyncIterable<Uint8Array>>;
  close(): Promise<void>;
}
