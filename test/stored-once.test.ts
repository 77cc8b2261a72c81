import { describe, expect, it } from 'vitest';
import { callTranscripts, restoreTranscript, type StoredSentence } from '../streams/call-transcripts.js';
import { storedOnce } from '../streams/mapping.js';

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
});
