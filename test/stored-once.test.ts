import { describe, expect, it } from 'vitest';
import { callTranscripts, restoreTranscript, type StoredSentence } from '../streams/call-transcripts.js';
import { sameJson, storedOnce } from '../streams/mapping.js';
import { restoreReview, statsActivityScorecards } from '../streams/stats-activity-scorecards.js';
import { restoreActivityDay, statsActivityDayByDay } from '../streams/stats-activity-day-by-day.js';
import { ACTIVITY_COUNTERS } from '../streams/stats-activity-aggregate.js';

/** What the copy keeps of a transcript record, and what it gives back from raw and the sentence rows. */
function storeAndRestore(record: Record<string, unknown>) {
  const rows = callTranscripts.toRows(record as any, {} as any) as Record<string, Array<Record<string, unknown>>>;
  const stored = JSON.parse(String(rows.call_transcripts![0]!.raw));
  const sentences = rows.transcript_sentences as unknown as StoredSentence[];
  return { stored, restored: restoreTranscript(stored, sentences, String(rows.call_transcripts![0]!.call_id)) };
}

describe('a record stored once: raw keeps only what the rows cannot give back', () => {
  it('keeps about nothing of an ordinary transcript, and gives it back exactly', () => {
    const record = {
      callId: '7782342274025937895',
      transcript: [
        {
          speakerId: '111',
          topic: 'Pricing',
          sentences: [
            { start: 0, end: 1200, text: 'Hello.' },
            { start: 1300, end: 2000, text: 'Hi.' },
          ],
        },
        { speakerId: '222', topic: 'Pricing', sentences: [{ start: 2100, end: 3000, text: 'Price?' }] },
      ],
    };
    const { stored, restored } = storeAndRestore(record);
    expect(stored).toEqual({ transcript: [{}, {}] });
    expect(restored).toEqual(record);
  });

  it('keeps what the rows cannot say: a null topic, an empty segment, a numeric speaker id, a fractional time, an unknown field', () => {
    const record = {
      callId: '7782342274025937895',
      language: 'eng',
      transcript: [
        { speakerId: '111', topic: null, sentences: [{ start: 0, end: 1200, text: 'Hello.' }] },
        { speakerId: '222', topic: 'Intro', sentences: [] },
        { speakerId: 333, topic: 'Intro', sentences: [{ start: 10.5, end: 2000, text: 'Hi.', confidence: 0.9 }] },
        { speakerId: '111', sentences: [{ start: 2100, end: 3000, text: 'Bye.' }] },
      ],
    };
    const { stored, restored } = storeAndRestore(record);
    expect(restored).toEqual(record);
    expect(JSON.stringify(stored)).not.toContain('Hello.');
    expect(stored.transcript[0]).toEqual({ topic: null });
    expect(stored.transcript[1]).toEqual({ speakerId: '222', topic: 'Intro', sentences: [] });
    expect(stored.transcript[2].speakerId).toBe(333);
    expect(stored.transcript[2].sentences).toEqual([{ start: 10.5, confidence: 0.9 }]);
  });

  it('gives back rows read by an older reader (no segment columns) and records stored whole', () => {
    const whole = { callId: '1', transcript: [{ speakerId: '9', topic: 'T', sentences: [{ start: 1, end: 2, text: 'a' }] }] };
    expect(restoreTranscript(structuredClone(whole), [{ start_ms: 1, end_ms: 2, text: 'a' }])).toEqual(whole);
    const older = { callId: '1', transcript: [{ speakerId: '9', topic: 'T', sentences: [{}] }] };
    expect(restoreTranscript(older, [{ start_ms: 1, end_ms: 2, text: 'a' }])).toEqual(whole);
  });

  it('storedOnce keeps the whole record when the slim form does not restore it, or restoring throws', () => {
    const record = { a: 1, b: [1, 2] };
    expect(storedOnce(record, { a: 1 }, (slim) => ({ ...slim, b: [1, 2] }))).toEqual({ a: 1 });
    expect(storedOnce(record, { a: 1 }, (slim) => ({ ...slim, b: [2, 1] }))).toBe(record);
    expect(
      storedOnce(record, { a: 1 }, () => {
        throw new Error('no');
      }),
    ).toBe(record);
  });

  it("an answered scorecard keeps its answers' order in raw and the rest in columns; read back from either database", () => {
    const review = {
      answeredScorecardId: '1073466135884310929',
      scorecardId: '9852411470349337254',
      callId: '3051296268533193114',
      reviewMethod: 'AUTOMATIC',
      reviewTime: '2026-11-28T02:55:00-07:00',
      overallScore: 3.5,
      answers: [
        { questionId: 'q2', isOverall: false, score: 2, notApplicable: false, selectedOptions: ['a', 'b'] },
        { questionId: 'q1', isOverall: true, answerText: 'Good pacing.', notApplicable: false },
      ],
    };
    const rows = statsActivityScorecards.toRows(review as any, {} as any) as Record<string, Array<Record<string, unknown>>>;
    const row = rows.stats_activity_scorecards![0]!;
    const stored = JSON.parse(String(row.raw));
    expect(stored).toEqual({ answers: [{ questionId: 'q2' }, { questionId: 'q1' }] });
    expect(restoreReview(stored, row, rows.scorecard_answers!)).toEqual(review);
    // PostgreSQL gives flags as booleans and numbers as numbers.
    const fromPostgres = rows.scorecard_answers!.map((a) => ({
      ...a,
      is_overall: a.is_overall === 1,
      not_applicable: a.not_applicable === 1,
    }));
    expect(restoreReview(stored, row, fromPostgres)).toEqual(review);
    // An explicit null the columns cannot tell from an absent field: the whole record stays.
    const withNull = { ...review, answers: [{ questionId: 'q1', answer: null, score: 1 }] };
    const kept = statsActivityScorecards.toRows(withNull as any, {} as any) as Record<string, Array<Record<string, unknown>>>;
    expect(JSON.parse(String(kept.stats_activity_scorecards![0]!.raw))).toEqual(withNull);
  });

  it('a day of activity keeps nothing its columns hold; a day that leaves a counter out is kept whole', () => {
    const counters = Object.fromEntries(ACTIVITY_COUNTERS.map((c) => [c, [] as string[]]));
    const day = {
      fromDate: '2026-11-26T00:00:00Z',
      toDate: '2026-11-27T00:00:00Z',
      ...counters,
      callsAsHost: ['1', '2'],
      callsAttended: ['2'],
      newCounter: 3,
    };
    const rowsOf = (d: Record<string, unknown>) =>
      statsActivityDayByDay.toRows({ userId: '42', userDailyActivityStats: [d] } as any, {} as any) as Record<
        string,
        Array<Record<string, unknown>>
      >;
    const row = rowsOf(day).stats_activity_day_by_day![0]!;
    const stored = JSON.parse(String(row.raw));
    expect(stored).toEqual({ newCounter: 3 });
    expect(restoreActivityDay(stored, row)).toEqual(day);
    const { callsAttended, ...partial } = day;
    expect(callsAttended).toEqual(['2']);
    expect(JSON.parse(String(rowsOf(partial).stats_activity_day_by_day![0]!.raw))).toEqual(partial);
  });

  it('compares as JSON: key order does not matter, list order, a missing key and a type do', () => {
    expect(sameJson({ a: 1, b: [1, { c: null }] }, { b: [1, { c: null }], a: 1 })).toBe(true);
    expect(sameJson({ a: [1, 2] }, { a: [2, 1] })).toBe(false);
    expect(sameJson({ a: 1 }, { a: 1, b: undefined })).toBe(false);
    expect(sameJson({ a: null }, {})).toBe(false);
    expect(sameJson({ a: '1' }, { a: 1 })).toBe(false);
    expect(sameJson([], {})).toBe(false);
  });
});
