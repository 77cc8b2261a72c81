import { sql, type Kysely } from 'kysely';
import { dialectOf } from './dialect.js';

// Frozen in time: never edit a migration that has shipped; add a new one.
//
// What each call still lacks. `pending`: no transcript yet but the call started within the last 30
// days, the look-back in which sync keeps asking (call_transcripts' retryMissingDays); `none`: older,
// and Gong never sent one. media_status: `downloaded` (a file), `none` (Gong has no media for it),
// `not_requested` (no download asked for).

const TRANSCRIPT_LOOKBACK_DAYS = 30;

export async function up(db: Kysely<any>): Promise<void> {
  const recent =
    dialectOf(db) === 'postgres'
      ? `cast(c.started_utc as timestamptz) >= now() - interval '${TRANSCRIPT_LOOKBACK_DAYS} days'`
      : `c.started_utc >= strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-${TRANSCRIPT_LOOKBACK_DAYS} days')`;
  await sql
    .raw(
      `create view call_completeness as
    select c.id as call_id,
      exists (select 1 from calls_extensive e where e.id = c.id) as has_extensive,
      case when exists (select 1 from call_transcripts t where t.call_id = c.id) then 'present'
           when ${recent} then 'pending' else 'none' end as transcript_status,
      case when exists (select 1 from call_media m where m.call_id = c.id and m.path is not null) then 'downloaded'
           when exists (select 1 from call_media m where m.call_id = c.id) then 'none' else 'not_requested' end as media_status,
      c.started_utc
    from calls c`,
    )
    .execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop view if exists call_completeness`.execute(db);
}
