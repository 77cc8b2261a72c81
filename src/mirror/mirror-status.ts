import { sql } from 'kysely';
import type { SqlExecutor } from '../db/sql-executor.js';
import { driftSince } from './schema-drift.js';

/** What `status` adds for a mirror that stays true (absent on a database not yet migrated). */
export interface MirrorStatus {
  completeness: {
    calls: number;
    withoutExtensive: number;
    transcripts: { present: number; pending: number; none: number };
    media: { downloaded: number; none: number; not_requested: number };
  };
  /** Fields Gong sent that the spec extract does not list, first seen since the latest run began. */
  newDrift: Array<{ endpoint: string; path: string; first_seen: string; count: number; example_type: string }>;
  driftFields: number;
  deletions: number;
  erasures: number;
}

export async function readMirrorStatus(exec: SqlExecutor, tables: Set<string>): Promise<MirrorStatus | undefined> {
  if (!tables.has('_schema_drift')) return undefined;
  const rows = await exec.all<{ transcript_status: string; media_status: string; has_extensive: unknown; n: number }>(
    exec.db
      .selectFrom('call_completeness')
      .select(['transcript_status', 'media_status', 'has_extensive', (eb) => eb.fn.countAll().as('n')])
      .groupBy(['transcript_status', 'media_status', 'has_extensive']),
  );
  const completeness: MirrorStatus['completeness'] = {
    calls: 0,
    withoutExtensive: 0,
    transcripts: { present: 0, pending: 0, none: 0 },
    media: { downloaded: 0, none: 0, not_requested: 0 },
  };
  for (const row of rows) {
    const n = Number(row.n);
    completeness.calls += n;
    if (!row.has_extensive) completeness.withoutExtensive += n;
    completeness.transcripts[row.transcript_status as 'present'] += n;
    completeness.media[row.media_status as 'none'] += n;
  }
  const latestRun = tables.has('_runs')
    ? await exec.get<{ started_at: string }>(exec.db.selectFrom('_runs').select('started_at').orderBy('id', 'desc').limit(1))
    : undefined;
  const count = async (table: string) =>
    Number((await exec.get<{ n: number }>(exec.db.selectFrom(table).select(sql<number>`count(*)`.as('n'))))?.n ?? 0);
  return {
    completeness,
    newDrift: latestRun ? await driftSince(exec, latestRun.started_at) : [],
    driftFields: await count('_schema_drift'),
    deletions: await count('_deletions'),
    erasures: await count('_erasures'),
  };
}

export function formatMirrorStatus(status: MirrorStatus | undefined): string[] {
  if (!status) return [];
  const c = status.completeness;
  const lines = [
    '',
    `completeness (call_completeness): ${c.calls} calls, ${c.withoutExtensive} without extensive data; transcripts present ${c.transcripts.present}, pending ${c.transcripts.pending}, none ${c.transcripts.none}; media downloaded ${c.media.downloaded}, none ${c.media.none}, not requested ${c.media.not_requested}`,
    `mirror: ${status.deletions} calls removed by reconcile (_deletions), ${status.erasures} erasures (_erasures), ${status.driftFields} unlisted fields seen (_schema_drift)`,
  ];
  if (status.newDrift.length > 0) {
    lines.push(
      `schema drift first seen in the latest run (${status.newDrift.length}): fields Gong sent that its spec does not list (nothing failed):`,
    );
    for (const d of status.newDrift) lines.push(`  ${d.endpoint} ${d.path} (${d.example_type}, ${d.count}x)`);
  }
  return lines;
}
