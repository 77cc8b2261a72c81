import { sql, type RawBuilder } from 'kysely';
import { ConfigError } from '../errors.js';
import type { SqlExecutor } from '../db/sql-executor.js';
import { occurrencesInFiles, rewriteAfterErasure } from '../db/secure-erase.js';
import type { StreamDefinition } from '../../streams/types.js';
import { primaryKeyOf } from '../db/table-keys.js';
import { planCallTables, removeCalls, tableColumns, type CallTablePlan } from './call-tables.js';
import { normalized, saltOf, suppressionHash, type SuppressedKind } from './suppression.js';

/** Tables forget never searches: its own proof and list, and tables that hold no text of Gong's. */
const NOT_SEARCHED = new Set([
  '_erasures',
  '_suppressions',
  '_suppression_salt',
  '_request_log',
  '_request_counts',
  '_lock',
  'kysely_migration',
]);

export interface ForgetOptions {
  exec: SqlExecutor;
  streams: StreamDefinition[];
  kind: Exclude<SuppressedKind, 'call'>;
  /** The e-mail address or phone number; it is never written anywhere, nor put in a message. */
  value: string;
  dryRun?: boolean;
  includeUser?: boolean;
  mediaDir?: string;
  runKey: string;
  now: () => Date;
}

export interface ForgetReport {
  kind: 'email' | 'phone';
  hash: string;
  dryRun: boolean;
  /** The calls that mention the address (listed on a dry run). */
  callIds: string[];
  rowsByTable: Record<string, number>;
  rows: number;
  files: number;
  /** Erased before, and nothing held it any more: only the byte-level clean-up ran again. */
  alreadyErased: boolean;
  /** Earlier erasures of this address (`_erasures`): what a dry run shows an operator as proof. */
  erasedBefore: Array<{ erased_at: string; calls_removed: number; rows_removed: number; files_checked: string | null }>;
  /** Occurrences of the address left in the database's files after the erasure (SQLite). */
  bytesLeft?: Record<string, number>;
  requests: number;
  rowsWritten: number;
}

interface Found {
  callIds: Set<string>;
  /** Rows outside the tables of a call that hold the address: their keys, per table. */
  rows: Map<string, { key: string[]; keys: unknown[][] }>;
  userRows: number;
}

/** Checks an address given on the command line (exit 2 when it cannot be one). */
export function parseAddress(kind: 'email' | 'phone', value: string): string {
  if (kind === 'email' && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(value.trim()))
    throw new ConfigError('--email needs an e-mail address such as name@example.com');
  if (kind === 'phone' && normalized('phone', value).length < 7)
    throw new ConfigError('--phone needs a phone number of at least 7 digits, such as "+1 555 0100"');
  return value.trim();
}

/**
 * Erases a person: every call that mentions the address (as a participant, in CRM context, in a
 * transcript) with everything that belongs to it, and every other row that holds it; then no byte
 * of the database files keeps it (see src/db/secure-erase.ts). Only a salted hash stays, so syncs
 * skip what Gong still serves, and `_erasures` records the proof. One transaction: a kill before it
 * commits changes nothing, and running forget again after any kill ends as one uninterrupted run.
 */
export async function forget(options: ForgetOptions): Promise<ForgetReport> {
  const { exec } = options;
  const salt = await saltOf(exec);
  const hash = suppressionHash(salt, options.kind, options.value);
  const plan = await planCallTables(exec, options.streams);
  const found = await findAddress(exec, plan, options.kind, options.value);
  const report: ForgetReport = {
    kind: options.kind,
    hash,
    dryRun: options.dryRun ?? false,
    callIds: [...found.callIds].sort(),
    rowsByTable: {},
    rows: 0,
    files: 0,
    alreadyErased: false,
    erasedBefore: (
      await exec.all<ForgetReport['erasedBefore'][number]>(
        exec.db
          .selectFrom('_erasures')
          .select(['erased_at', 'calls_removed', 'rows_removed', 'files_checked'])
          .where('hash', '=', hash)
          .orderBy('erased_at'),
      )
    ).map((r) => ({ ...r, calls_removed: Number(r.calls_removed), rows_removed: Number(r.rows_removed) })),
    requests: 0,
    rowsWritten: 0,
  };
  if (found.userRows > 0 && !options.includeUser) {
    throw new ConfigError(
      `forget refused: this ${options.kind === 'email' ? 'address' : 'number'} belongs to a Gong user of this account (${found.userRows} row(s) of users). ` +
        'Forgetting it would remove every call that user took part in, and the user stays in Gong. ' +
        'Erase a user in Gong first; to remove them here anyway, run again with --include-user.',
    );
  }
  if (report.dryRun) {
    report.rowsByTable = await countDry(exec, plan, found);
    report.rows = Object.values(report.rowsByTable).reduce((a, b) => a + b, 0);
    return report;
  }
  // The tables that hold the address now; after a kill that committed, the call tables it held them in.
  const holding = Object.keys(await countDry(exec, plan, found));
  const touched = holding.length > 0 ? holding : [...plan.dependents.map((d) => d.table), ...plan.byCall.map((t) => t.table)];
  await exec.database.adapter.secureErase(touched, () =>
    exec.transaction(async () => {
      const removed = await removeCalls(exec, plan, report.callIds, options.mediaDir);
      Object.assign(report.rowsByTable, removed.rowsByTable);
      report.files = removed.files;
      for (const [table, { key, keys }] of found.rows) {
        let count = 0;
        for (const values of keys) {
          const result = await exec.run(exec.db.deleteFrom(table).where((eb) => eb.and(key.map((c, i) => eb(c, '=', values[i] as never)))));
          count += result.changes;
        }
        if (count > 0) report.rowsByTable[table] = (report.rowsByTable[table] ?? 0) + count;
      }
      report.rows = Object.values(report.rowsByTable).reduce((a, b) => a + b, 0);
      const at = options.now().toISOString();
      const known = await exec.get(exec.db.selectFrom('_suppressions').select('hash').where('hash', '=', hash));
      report.alreadyErased = known !== undefined && report.rows === 0;
      const hashes = [
        { hash, kind: options.kind },
        ...report.callIds.map((id) => ({ hash: suppressionHash(salt, 'call', id), kind: 'call' })),
      ];
      for (const h of hashes) {
        await exec.run(
          exec.db
            .insertInto('_suppressions')
            .values({ ...h, added_at: at })
            .onConflict((oc) => oc.column('hash').doNothing()),
        );
      }
      if (!report.alreadyErased) {
        await exec.run(
          exec.db.insertInto('_erasures').values({
            erased_at: at,
            kind: options.kind,
            hash,
            calls_removed: report.callIds.length,
            rows_removed: report.rows,
            tables: JSON.stringify(report.rowsByTable),
            run_id: options.runKey,
          }),
        );
      }
    }),
  );
  const rewritten = touched;
  await rewriteAfterErasure(exec.database, rewritten);
  const left = occurrencesInFiles(exec.database, options.kind === 'email' ? normalized('email', options.value) : options.value);
  report.bytesLeft = left;
  const checked = left
    ? `occurrences ${Object.entries(left)
        .map(([file, n]) => `${file.split('/').pop()}: ${n}`)
        .join(', ')}`
    : `${rewritten.length} tables rewritten (VACUUM FULL): ${rewritten.join(', ')}`;
  const latest = await exec.get<{ erased_at: string }>(
    exec.db.selectFrom('_erasures').select('erased_at').where('hash', '=', hash).orderBy('erased_at', 'desc').limit(1),
  );
  if (latest) {
    await exec.run(
      exec.db
        .updateTable('_erasures')
        .set({ files_checked: `${options.now().toISOString()} ${checked}` })
        .where('hash', '=', hash)
        .where('erased_at', '=', latest.erased_at),
    );
    // The update went through the WAL: empty it again, so the files stay as checked.
    if (left) await exec.database.adapter.checkpoint();
  }
  report.rowsWritten = report.rows;
  return report;
}

/** Every row holding the address: a coarse SQL filter per table, then an exact check of each candidate row. */
async function findAddress(exec: SqlExecutor, plan: CallTablePlan, kind: 'email' | 'phone', value: string): Promise<Found> {
  const columns = await tableColumns(exec);
  const holds = matcher(kind, value);
  const found: Found = { callIds: new Set(), rows: new Map(), userRows: 0 };
  for (const [table, names] of columns) {
    if (NOT_SEARCHED.has(table)) continue;
    const filter = sql.join(
      [...names].map((c) => coarseMatch(kind, value, c)),
      sql` or `,
    );
    const candidates = await exec.all<Record<string, unknown>>(
      exec.db
        .selectFrom(table)
        .selectAll()
        .where(filter as RawBuilder<boolean>),
    );
    const rows = candidates.filter((row) => Object.values(row).some((v) => v !== null && holds(String(v))));
    if (rows.length === 0) continue;
    if (table === 'users') found.userRows += rows.length;
    const own = plan.byCall.find((t) => t.table === table);
    const dependent = plan.dependents.find((d) => d.table === table);
    if (own) {
      for (const row of rows) found.callIds.add(String(row[own.column]));
    } else if (dependent) {
      const owner = plan.byCall.find((t) => t.table === dependent.parent)!;
      const parents = await exec.all<Record<string, unknown>>(
        exec.db
          .selectFrom(dependent.parent)
          .select(owner.column)
          .where(dependent.parentColumn, 'in', rows.map((r) => r[dependent.column]) as never[]),
      );
      for (const p of parents) found.callIds.add(String(p[owner.column]));
    } else {
      const key = await primaryKeyOf(exec, table);
      const keyColumns = key.length > 0 ? key : [...names];
      found.rows.set(table, { key: keyColumns, keys: rows.map((r) => keyColumns.map((c) => r[c])) });
    }
  }
  return found;
}

async function countDry(exec: SqlExecutor, plan: CallTablePlan, found: Found): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  const ids = [...found.callIds];
  for (let i = 0; i < ids.length; i += 400) {
    const chunk = ids.slice(i, i + 400);
    for (const t of plan.byCall) {
      const row = await exec.get<{ n: number }>(
        exec.db
          .selectFrom(t.table)
          .select((eb) => eb.fn.countAll().as('n'))
          .where(t.column, 'in', chunk),
      );
      counts[t.table] = (counts[t.table] ?? 0) + Number(row?.n ?? 0);
    }
    for (const d of plan.dependents) {
      const owner = plan.byCall.find((t) => t.table === d.parent)!;
      const row = await exec.get<{ n: number }>(
        exec.db
          .selectFrom(d.table)
          .select((eb) => eb.fn.countAll().as('n'))
          .where(d.column, 'in', exec.db.selectFrom(d.parent).select(d.parentColumn).where(owner.column, 'in', chunk)),
      );
      counts[d.table] = (counts[d.table] ?? 0) + Number(row?.n ?? 0);
    }
  }
  for (const [table, { keys }] of found.rows) counts[table] = (counts[table] ?? 0) + keys.length;
  for (const key of Object.keys(counts)) if (counts[key] === 0) delete counts[key];
  return counts;
}

/** A cheap filter that finds at least every row holding the address (and maybe a few more). */
function coarseMatch(kind: 'email' | 'phone', value: string, column: string): RawBuilder<unknown> {
  const text = sql`cast(${sql.ref(column)} as text)`;
  if (kind === 'email') {
    const pattern = `%${normalized('email', value).replace(/[\\%_]/g, '\\$&')}%`;
    return sql`lower(${text}) like ${pattern} escape '\\'`;
  }
  const digits = normalized('phone', value);
  let stripped: RawBuilder<unknown> = text;
  for (const separator of [' ', '-', '(', ')', '.', '+']) stripped = sql`replace(${stripped}, ${sql.lit(separator)}, '')`;
  return sql`${stripped} like ${`%${digits.slice(-7)}%`}`;
}

/** The exact test: the address as a whole (not inside a longer one), in any letter case; a number in any formatting. */
function matcher(kind: 'email' | 'phone', value: string): (text: string) => boolean {
  if (kind === 'email') {
    const escaped = normalized('email', value).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const pattern = new RegExp(`(?<![a-z0-9._%+-])${escaped}(?![a-z0-9-]|\\.[a-z0-9])`, 'i');
    return (text) => pattern.test(text);
  }
  const digits = normalized('phone', value);
  return (text) => {
    for (const match of text.matchAll(/\+?\d[\d\s().-]{5,}\d/g)) {
      const candidate = normalized('phone', match[0]);
      if (
        candidate === digits ||
        (candidate.endsWith(digits) && digits.length >= 7) ||
        (digits.endsWith(candidate) && candidate.length >= 7)
      )
        return true;
    }
    return false;
  };
}
