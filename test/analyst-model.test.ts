import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startSimulator } from './helpers/simulator.js';
import { runCli, simEnv, tempDir } from './helpers/cli.js';
import { column, query } from './helpers/database.js';
import { dayByDayActivity } from '../src/simulator/stats.js';
import { asSent } from '../src/simulator/shapes.js';
import { utcInstant } from '../src/db/instants.js';
import { DEFAULT_EXPOSED_FIELDS } from '../streams/calls-extensive.js';
import { restoreTranscript, type StoredSentence } from '../streams/call-transcripts.js';
import type { GongSimulator } from '../src/simulator/server.js';

const DAY = 86_400_000;

/** One line per row, for comparing a table with what the simulator sent (order-free). */
const lines = (db: string, sql: string) => column(db, sql).sort();
const sorted = (items: string[]) => [...items].sort();
const scalar = (v: unknown) => (v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));

/** What Gong sent for each call, as the stream received it (Gong's shapes drop nulls). */
function extensiveRecords(sim: GongSimulator): any[] {
  return sim.account.visibleCalls().map((c) => asSent(sim.account.extensiveOf(c, DEFAULT_EXPOSED_FIELDS, undefined, 'id', true), 'gong'));
}

async function sync(sim: GongSimulator, db: string) {
  const start = new Date(Date.now() - 40 * DAY).toISOString().slice(0, 10);
  const result = await runCli(['sync'], simEnv(sim, db, { GONG_START_DATE: start }));
  expect(result.code, result.stderr).toBe(0);
  return start;
}

function expectedChildren(records: any[]) {
  const each = (f: (call: any, id: string) => string[]) => sorted(records.flatMap((r) => f(r, r.metaData.id)));
  return {
    call_topics: each((r, id) => r.content.topics.map((t: any) => `${id}|${t.name}|${t.duration}`)),
    call_structure: each((r, id) => r.content.structure.map((t: any) => `${id}|${t.name}|${t.duration}`)),
    call_trackers: each((r, id) => r.content.trackers.map((t: any) => `${id}|${t.id}|${t.name}|${t.count}`)),
    call_tracker_occurrences: each((r, id) =>
      r.content.trackers.flatMap((t: any) =>
        t.phrases.flatMap((p: any) => p.occurrences.map((o: any) => `${id}|${t.id}|${p.phrase}|${o.speakerId}|${o.startTime}`)),
      ),
    ),
    call_interaction_stats: each((r, id) => r.interaction.interactionStats.map((s: any) => `${id}|${s.name}|${s.value}`)),
    call_video_stats: each((r, id) => r.interaction.video.map((s: any) => `${id}|${s.name}|${s.duration}`)),
    call_speakers: each((r, id) => r.interaction.speakers.map((s: any) => `${id}|${s.id}|${s.talkTime}`)),
    call_context_objects: each((r, id) =>
      (r.context ?? []).flatMap((c: any) => c.objects.map((o: any) => `${id}|${c.system}|${o.objectType}|${o.objectId}|${o.timing}`)),
    ),
    call_context_fields: each((r, id) =>
      (r.context ?? []).flatMap((c: any) =>
        c.objects.flatMap((o: any) => o.fields.map((f: any) => `${id}|${o.objectType}|${o.objectId}|${f.name}|${scalar(f.value)}`)),
      ),
    ),
    call_party_context_fields: each((r, id) =>
      r.parties.flatMap((p: any) =>
        (p.context ?? []).flatMap((c: any) =>
          c.objects.flatMap((o: any) =>
            o.fields.map((f: any) => `${id}|${p.id}|${o.objectType}|${o.objectId}|${f.name}|${scalar(f.value)}`),
          ),
        ),
      ),
    ),
    call_comments: each((r, id) =>
      r.collaboration.publicComments.map(
        (c: any) => `${id}|${c.id}|${c.commenterUserId}|${c.comment}|${utcInstant(c.posted)}|${c.audioStartTime}|${c.audioEndTime}`,
      ),
    ),
    call_key_points: each((r, id) => r.content.keyPoints.map((k: any, seq: number) => `${id}|${seq}|${k.text}`)),
    call_highlights: each((r, id) =>
      r.content.highlights.flatMap((h: any) => h.items.map((i: any) => `${id}|${h.title}|${i.text}|${i.startTimes[0]}`)),
    ),
    call_outline_items: each((r, id) =>
      r.content.outline.flatMap((s: any, sectionSeq: number) =>
        s.items.map((i: any, itemSeq: number) => `${id}|${sectionSeq}|${itemSeq}|${s.section}|${i.text}|${i.startTime}`),
      ),
    ),
    call_action_items: each((r, id) =>
      r.content.pointsOfInterest.actionItems.map((a: any, seq: number) => `${id}|${seq}|${a.speakerID}|${a.snippet}`),
    ),
  };
}

const STORED: Record<keyof ReturnType<typeof expectedChildren>, string> = {
  call_topics: "call_id || '|' || name || '|' || duration",
  call_structure: "call_id || '|' || name || '|' || duration",
  call_trackers: "call_id || '|' || tracker_id || '|' || name || '|' || count",
  call_tracker_occurrences: "call_id || '|' || tracker_id || '|' || phrase || '|' || speaker_id || '|' || start_time",
  call_interaction_stats: "call_id || '|' || name || '|' || value",
  call_video_stats: "call_id || '|' || name || '|' || duration",
  call_speakers: "call_id || '|' || id || '|' || talk_time",
  call_context_objects: "call_id || '|' || system || '|' || object_type || '|' || object_id || '|' || timing",
  call_context_fields: "call_id || '|' || object_type || '|' || object_id || '|' || name || '|' || coalesce(value, '')",
  call_party_context_fields:
    "call_id || '|' || party_id || '|' || object_type || '|' || object_id || '|' || name || '|' || coalesce(value, '')",
  call_comments:
    "call_id || '|' || id || '|' || commenter_user_id || '|' || comment || '|' || posted_utc || '|' || audio_start_time || '|' || audio_end_time",
  call_key_points: "call_id || '|' || seq || '|' || text",
  call_highlights: "call_id || '|' || title || '|' || text || '|' || start_time",
  call_outline_items: "call_id || '|' || section_seq || '|' || item_seq || '|' || section || '|' || text || '|' || start_time",
  call_action_items: "call_id || '|' || seq || '|' || speaker_id || '|' || snippet",
};

/** SQLite prints whole reals as "12.0"; the simulator's numbers print as "12". */
const normalise = (rows: string[]) => rows.map((r) => r.replace(/\|(-?\d+)\.0(?=\||$)/g, '|$1'));

describe('the analyst data model', () => {
  it('stores every nested block of extensive calls, users and settings as typed child tables equal to what Gong sent', async () => {
    const sim = await startSimulator({ calls: 80, days: 40 });
    const db = path.join(tempDir(), 'gong.db');
    const start = await sync(sim, db);
    const records = extensiveRecords(sim);
    const expected = expectedChildren(records);
    for (const [table, expression] of Object.entries(STORED)) {
      const want = expected[table as keyof typeof expected];
      expect(want.length, `${table}: the simulator sends some`).toBeGreaterThan(0);
      expect(normalise(lines(db, `select ${expression} from ${table}`)), table).toEqual(normalise(want));
    }
    // Tracker occurrences are numbered by time within a call's tracker, from 0.
    const gaps = query(
      db,
      `select call_id, tracker_id from call_tracker_occurrences group by 1, 2 having max(seq) <> count(*) - 1 or min(seq) <> 0`,
    );
    expect(gaps).toEqual([]);
    // Outcome, and UTC copies of the offset timestamps.
    expect(
      lines(db, "select id || '|' || call_outcome_id || '|' || call_outcome_category || '|' || call_outcome_name from calls_extensive"),
    ).toEqual(
      sorted(
        records.map((r) => `${r.metaData.id}|${r.content.callOutcome.id}|${r.content.callOutcome.category}|${r.content.callOutcome.name}`),
      ),
    );
    expect(lines(db, "select id || '|' || started_utc from calls")).toEqual(
      sorted(records.map((r) => `${r.metaData.id}|${utcInstant(r.metaData.started)}`)),
    );

    // Users: aliases, languages, settings; trackers' keywords; scorecards' answer options.
    const users = sim.account.users;
    expect(lines(db, "select user_id || '|' || email from user_email_aliases")).toEqual(
      sorted(users.flatMap((u) => u.emailAliases.map((e) => `${u.id}|${e}`))),
    );
    expect(Number(column(db, 'select count(*) from user_email_aliases')[0])).toBeGreaterThan(0);
    expect(lines(db, "select user_id || '|' || language || '|' || is_primary from user_spoken_languages")).toEqual(
      sorted(users.flatMap((u) => u.spokenLanguages.map((l) => `${u.id}|${l.language}|${l.primary ? 1 : 0}`))),
    );
    expect(lines(db, "select id || '|' || telephony_calls_imported || '|' || non_recorded_meetings_imported from users")).toEqual(
      sorted(users.map((u) => `${u.id}|${u.settings.telephonyCallsImported ? 1 : 0}|${u.settings.nonRecordedMeetingsImported ? 1 : 0}`)),
    );
    expect(lines(db, "select tracker_id || '|' || language || '|' || keyword from tracker_keywords")).toEqual(
      sorted(
        sim.account.trackers.flatMap((t: any) =>
          t.languageKeywords.flatMap((k: any) => k.keywords.map((w: string) => `${t.trackerId}|${k.language}|${w}`)),
        ),
      ),
    );
    expect(lines(db, "select scorecard_id || '|' || question_id || '|' || option_id || '|' || text from scorecard_answer_options")).toEqual(
      sorted(
        sim.account.scorecardSettings.flatMap((s: any) =>
          s.questions.flatMap((q: any) =>
            q.answerOptions.map((o: any) => `${s.scorecardId}|${q.questionId}|${o.optionId}|${o.optionText}`),
          ),
        ),
      ),
    );
    const today = new Date().toISOString().slice(0, 10);
    const dayCalls = dayByDayActivity(sim.account, start, today).flatMap((u) =>
      u.userDailyActivityStats.flatMap((d: any) =>
        (d.callsAsHost as string[]).map((callId) => `${u.userId}|${d.fromDate.slice(0, 10)}|${callId}`),
      ),
    );
    expect(dayCalls.length).toBeGreaterThan(0);
    expect(lines(db, "select user_id || '|' || date || '|' || call_id from activity_day_calls where activity = 'calls_as_host'")).toEqual(
      sorted(dayCalls),
    );

    // A transcript is stored once: raw keeps its structure, transcript_sentences its sentences, and
    // together they give back exactly what Gong sent.
    const transcribed = sim.account.visibleCalls().filter((c) => c.transcriptReady);
    expect(transcribed.length).toBeGreaterThan(0);
    for (const call of transcribed) {
      const stored = query<{ raw: string }>(db, 'select raw from call_transcripts where call_id = ?', call.record.id)[0]!;
      expect(stored.raw).not.toContain('"text"');
      // Not even the speakers and topics: every sentence row holds them.
      expect(stored.raw).not.toContain('speakerId');
      expect(stored.raw).not.toContain(String(call.record.id));
      const sentences = query<StoredSentence>(
        db,
        'select start_ms, end_ms, text, segment_index, speaker_id, topic from transcript_sentences where call_id = ? order by seq',
        call.record.id,
      );
      expect(restoreTranscript(JSON.parse(stored.raw), sentences, String(call.record.id))).toEqual(
        asSent(sim.account.transcriptOf(call), 'gong'),
      );
    }

    // What analysts ask, answered with plain joins.
    const saidByCustomer = query<{ n: number }>(
      db,
      `select count(*) n from call_tracker_occurrences o join call_parties p on p.call_id = o.call_id and p.speaker_id = o.speaker_id
       where p.affiliation = 'External' and o.tracker_id = (select tracker_id from settings_trackers where tracker_name = 'Competitors')`,
    )[0]!.n;
    expect(saidByCustomer).toBeGreaterThan(0);
    const perOpportunity = query<{ calls: number }>(
      db,
      "select count(*) calls from call_context_objects where object_type = 'Opportunity' group by object_id order by 1 desc limit 1",
    );
    expect(perOpportunity[0]!.calls).toBeGreaterThan(1);
    expect(
      Number(column(db, 'select count(*) from transcript_lines where speaker_name is not null and call_title is not null')[0]),
    ).toBeGreaterThan(0);
    // transcript_lines reads the compact sentence rows directly (migration 0034): the same rows as its first definition.
    const firstDefinition = `select s.call_id, s.seq, c.title as call_title, c.started_utc, s.start_ms / 1000 as second, s.speaker_id,
      p.name as speaker_name, p.affiliation, p.user_id as speaker_user_id, p.email_address as speaker_email_address, s.topic, s.text
      from transcript_sentences s left join calls c on c.id = s.call_id
      left join call_parties p on p.call_id = s.call_id and p.speaker_id = s.speaker_id`;
    const transcriptLines = query(db, 'select * from transcript_lines order by call_id, seq');
    expect(transcriptLines.length).toBeGreaterThan(100);
    expect(transcriptLines).toEqual(query(db, `${firstDefinition} order by 1, 2`));
  });

  it("replaces a call's child rows as a set when the call is re-read with fewer items", async () => {
    const sim = await startSimulator({ calls: 20, days: 10 });
    const db = path.join(tempDir(), 'gong.db');
    await sync(sim, db);
    // The latest call: within the look-back that every sync re-reads.
    const target = [...sim.account.visibleCalls()].sort((a, b) => b.startedMs - a.startedMs)[0]!.record.id;
    const before = Number(column(db, `select count(*) from call_topics where call_id = '${target}'`)[0]);
    expect(before).toBeGreaterThan(1);
    sim.recordTransform = (route, record: any) => {
      if (route !== '/v2/calls/extensive' || record.metaData.id !== target) return record;
      return {
        ...record,
        context: [],
        content: { ...record.content, topics: record.content.topics.slice(0, 1), trackers: [], keyPoints: [], highlights: [], outline: [] },
        interaction: { ...record.interaction, interactionStats: [] },
        collaboration: { publicComments: [] },
      };
    };
    const result = await runCli(
      ['sync', '--streams', 'calls_extensive'],
      simEnv(sim, db, { GONG_START_DATE: new Date(Date.now() - 40 * DAY).toISOString().slice(0, 10) }),
    );
    expect(result.code, result.stderr).toBe(0);
    const count = (table: string) => Number(column(db, `select count(*) from ${table} where call_id = '${target}'`)[0]);
    expect(count('call_topics')).toBe(1);
    for (const table of [
      'call_trackers',
      'call_tracker_occurrences',
      'call_key_points',
      'call_highlights',
      'call_outline_items',
      'call_interaction_stats',
      'call_context_objects',
      'call_context_fields',
      'call_comments',
    ]) {
      expect(count(table), table).toBe(0);
    }
    // Other calls keep theirs.
    expect(Number(column(db, `select count(*) from call_topics where call_id <> '${target}'`)[0])).toBeGreaterThan(0);
  });
});
