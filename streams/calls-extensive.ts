import { defineStream, type Row } from './types.js';
import { asArray, asObject, idText, integer, jsonText, raw, real, requireId, storedOnce, text, utcIso } from './mapping.js';
import { CALL_LIST_MAX_DAYS, callRow } from './calls.js';
import { EXTENSIVE_CHILD_TABLES, extensiveChildRows } from './calls-extensive-children.js';
import { restoreExtensiveCall, slimExtensiveCall, type ExtensiveRows } from './calls-extensive-stored.js';

/** Everything useful except media (whose signed URLs expire): override with GONG_CONTENT_SELECTOR. */
export const DEFAULT_EXPOSED_FIELDS = {
  parties: true,
  content: {
    structure: true,
    topics: true,
    trackers: true,
    trackerOccurrences: true,
    brief: true,
    outline: true,
    highlights: true,
    callOutcome: true,
    keyPoints: true,
    // Not pointsOfInterest: deprecated in Gong's 2026 spec and gone from its answer (still parsed
    // into call_action_items when a tenant sends it).
  },
  interaction: { speakers: true, video: true, personInteractionStats: true, questions: true },
  collaboration: { publicComments: true },
  media: false,
};

/**
 * Extensive call data over the same windows as `calls`. Its `metaData` is the very record
 * GET /v2/calls returns, so this stream also fills `calls`, and a sync that runs both skips
 * the `calls` stream: one request stream instead of two.
 */
export const callsExtensive = defineStream({
  name: 'calls_extensive',
  description:
    'Extensive call data (POST /v2/calls/extensive): parties, topics, trackers, brief, outline, highlights, key points, ' +
    'outcome, speakers, questions, interaction stats, comments; also fills calls. Date windows on the call start, 7-day look-back.',
  endpoint: { method: 'POST', path: '/v2/calls/extensive' },
  request: ({ window, settings }) => ({
    body: {
      filter: { fromDateTime: window?.from, toDateTime: window?.to },
      contentSelector: { context: 'Extended', exposedFields: settings.exposedFields ?? DEFAULT_EXPOSED_FIELDS },
    },
  }),
  recordsKey: 'calls',
  paginated: true,
  // Gong's call lists cover at most 90 days a request (GET /v2/calls refuses more; PostHog caps both).
  replication: { kind: 'date_windows', granularity: 'datetime', lookbackDays: 7, maxWindowDays: CALL_LIST_MAX_DAYS, upperBound: 'now' },
  tables: [
    { name: 'calls', primaryKey: ['id'] },
    { name: 'calls_extensive', primaryKey: ['id'] },
    {
      name: 'call_parties',
      primaryKey: ['call_id', 'id'],
      replaceChildrenOf: { table: 'calls_extensive', parentColumn: 'id', column: 'call_id' },
    },
    ...EXTENSIVE_CHILD_TABLES,
  ],
  recordId: (call) => idText(call?.metaData?.id) ?? '?',
  isPrivate: (call) => call?.metaData?.isPrivate === true,
  toRows: (call) => {
    const meta = asObject(call.metaData);
    const id = requireId(meta.id, 'metaData.id');
    const content = asObject(call.content);
    const interaction = asObject(call.interaction);
    const questions = asObject(interaction.questions);
    // Gong's speakers[].id is the participant's id (parties[].id); the reference's shape used speakerId.
    const talkTimeBySpeaker = new Map(asArray(interaction.speakers).map((s) => [idText(s?.id), real(s?.talkTime)]));
    const talkTimeOf = (p: any) => talkTimeBySpeaker.get(idText(p.id)) ?? talkTimeBySpeaker.get(idText(p.speakerId)) ?? null;
    const parties: Row[] = asArray(call.parties)
      .filter((p) => idText(p?.id))
      .map((p, seq) => ({
        call_id: id,
        id: idText(p.id),
        seq,
        user_id: idText(p.userId),
        speaker_id: idText(p.speakerId),
        name: text(p.name),
        email_address: text(p.emailAddress),
        affiliation: text(p.affiliation),
        title: text(p.title),
        phone_number: text(p.phoneNumber),
        methods: jsonText(p.methods),
        context: jsonText(p.context),
        talk_time: talkTimeOf(p),
      }));
    const callsRow = callRow({ ...meta, id });
    const extensive: Row = {
      id,
      started: text(meta.started),
      started_utc: utcIso(meta.started),
      title: text(meta.title),
      brief: text(content.brief),
      call_outcome_id: idText(asObject(content.callOutcome).id),
      call_outcome_category: text(asObject(content.callOutcome).category),
      call_outcome_name: text(asObject(content.callOutcome).name),
      questions_company_count: integer(questions.companyCount),
      questions_non_company_count: integer(questions.nonCompanyCount),
    };
    const children = { call_parties: parties, ...extensiveChildRows(id, call) };
    // Stored once: raw keeps what these rows cannot give back (calls-extensive-stored.ts).
    const rows: ExtensiveRows = { callRaw: callsRow.raw, extensive, children };
    const stored = storedOnce(call, slimExtensiveCall(call, rows), (slim) => restoreExtensiveCall(slim, rows));
    return {
      calls: [callsRow],
      calls_extensive: [{ ...extensive, raw: raw(stored) }],
      ...children,
    };
  },
});
