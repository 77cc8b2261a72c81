import { createHmac, randomBytes } from 'node:crypto';
import type { SqlExecutor } from '../db/sql-executor.js';
import type { StreamDefinition } from '../../streams/types.js';

export type SuppressedKind = 'email' | 'phone' | 'call';

const EMAIL = /[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,}/gi;
const PHONE = /\+?\d[\d\s().-]{5,}\d/g;
/** A phone number given without its country code still matches: its last digits, at least this many. */
const MIN_PHONE_DIGITS = 7;

/** The form an address is hashed in: e-mail lower-cased, phone numbers as their digits. */
export function normalized(kind: SuppressedKind, value: string): string {
  if (kind === 'email') return value.trim().toLowerCase();
  if (kind === 'phone') return value.replace(/\D/g, '');
  return value.trim();
}

export function suppressionHash(salt: string, kind: SuppressedKind, value: string): string {
  return createHmac('sha256', salt)
    .update(`${kind}:${normalized(kind, value)}`)
    .digest('hex');
}

/** This database's salt, created on first use. */
export async function saltOf(exec: SqlExecutor): Promise<string> {
  const row = await exec.get<{ salt: string }>(exec.db.selectFrom('_suppression_salt').select('salt').where('id', '=', 1));
  if (row) return row.salt;
  const salt = randomBytes(32).toString('hex');
  await exec.run(
    exec.db
      .insertInto('_suppression_salt')
      .values({ id: 1, salt })
      .onConflict((oc) => oc.column('id').doNothing()),
  );
  return (await exec.get<{ salt: string }>(exec.db.selectFrom('_suppression_salt').select('salt').where('id', '=', 1)))!.salt;
}

/**
 * The erased addresses and their calls, as salted hashes: a record that mentions one (a party's
 * e-mail, a CRM field, a phone number) or is one of those calls is dropped before it is stored, so
 * a sync never brings back what `forget` erased while Gong still serves it.
 */
export class Suppression {
  private constructor(
    private readonly salt: string,
    private readonly hashes: Set<string>,
    private readonly kinds: Set<string>,
  ) {}

  /** The database's suppression list, or undefined when nothing was ever erased (the usual case: no cost). */
  static async load(exec: SqlExecutor): Promise<Suppression | undefined> {
    let rows: Array<{ hash: string; kind: string }>;
    try {
      rows = await exec.all(exec.db.selectFrom('_suppressions').select(['hash', 'kind']));
    } catch {
      return undefined; // not migrated yet
    }
    if (rows.length === 0) return undefined;
    return new Suppression(await saltOf(exec), new Set(rows.map((r) => r.hash)), new Set(rows.map((r) => r.kind)));
  }

  /** Keeps the records of a page that mention nothing erased. */
  filter<T>(stream: StreamDefinition, records: T[]): T[] {
    return records.filter((record) => this.keeps(stream, record));
  }

  keeps(stream: StreamDefinition, record: unknown): boolean {
    const has = (kind: SuppressedKind, value: string) => this.hashes.has(suppressionHash(this.salt, kind, value));
    if (this.kinds.has('call')) {
      const r = record as Record<string, any> | null;
      let own: string | undefined;
      try {
        own = stream.recordId(record);
      } catch {
        own = undefined;
      }
      for (const id of [own, r?.callId, r?.metaData?.id]) if (id !== undefined && id !== null && has('call', String(id))) return false;
    }
    const text = JSON.stringify(record) ?? '';
    if (this.kinds.has('email')) for (const match of text.matchAll(EMAIL)) if (has('email', match[0])) return false;
    if (this.kinds.has('phone')) {
      for (const match of text.matchAll(PHONE)) {
        const digits = normalized('phone', match[0]);
        for (let start = 0; digits.length - start >= MIN_PHONE_DIGITS; start++) if (has('phone', digits.slice(start))) return false;
      }
    }
    return true;
  }
}
