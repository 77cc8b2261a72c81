import { sql, type Expression, type SqlBool } from 'kysely';
import type { SqlExecutor } from '../db/sql-executor.js';
import { objectSchema } from './json-schema.js';
import type { McpTool } from './tool.js';
import { byInstant, containsText, instantWhere, isoText, offLoopRows, utcInstant } from './copy-reads.js';
import { RANGE_PARAMS, range, text, wholeNumber } from './tool-args.js';
import { ToolError } from './tool.js';

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 500;
/** Participants listed per call (the answer stays bounded for large meetings). */
const MAX_PARTICIPANTS = 12;

interface Criteria {
  account?: string;
  opportunity?: string;
  participant?: string;
  rep?: string;
  tracker?: string;
  topic?: string;
  outcome?: string;
  text?: string;
  from?: number;
  to?: number;
}

/**
 * find_calls: the calls of an account, an opportunity, a person or a domain, a rep, a date range,
 * a tracker, a topic, an outcome or words, from the copy (no Gong request). Every criterion given
 * must hold; with `text` calls are ranked by how strongly they match, otherwise newest first.
 * Each call says why it matched.
 */
export function findCallsTool(exec: SqlExecutor): McpTool {
  return {
    name: 'find_calls',
    description:
      'Finds calls in the local copy (no Gong request) by account, opportunity, participant, rep, dates, tracker, topic, outcome or words (all given must hold). ' +
      'Ranked: best text match, else newest. Each: id, title, started, account, participants, matched (why). Then call_brief {id}.',
    annotations: { readOnlyHint: true },
    inputSchema: objectSchema({
      account: { type: 'string', description: 'CRM account name or part, e.g. "Berg Inc" (no CRM match: participant email domains).' },
      opportunity: { type: 'string', description: 'CRM opportunity name, or part, e.g. "Berg Inc - New Business".' },
      participant: { type: 'string', description: 'Participant email ("ben@berg.example"), domain ("berg.example") or name part.' },
      rep: { type: 'string', description: 'Internal host or attendee: user id, email or name part, e.g. "Chen Adler".' },
      ...RANGE_PARAMS,
      tracker: { type: 'string', description: 'Tracker that fired, by name, e.g. "Pricing".' },
      topic: { type: 'string', description: 'Topic discussed, e.g. "Next Steps".' },
      outcome: { type: 'string', description: 'Outcome name or category, e.g. "Qualified".' },
      text: { type: 'string', description: 'Words (all) in title, brief, key points or transcript, e.g. "security review".' },
      limit: { type: 'integer', description: `Most calls, 1-${MAX_LIMIT} (default ${DEFAULT_LIMIT}).` },
      offset: { type: 'integer', description: 'nextOffset of the previous answer.' },
    }),
    async run(args) {
      const tool = 'find_calls';
      const criteria: Criteria = {
        account: text(tool, args, 'account'),
        opportunity: text(tool, args, 'opportunity'),
        participant: text(tool, args, 'participant'),
        rep: text(tool, args, 'rep'),
        tracker: text(tool, args, 'tracker'),
        topic: text(tool, args, 'topic'),
        outcome: text(tool, args, 'outcome'),
        text: text(tool, args, 'text'),
        ...range(tool, args),
      };
      const limit = wholeNumber(tool, args, 'limit', DEFAULT_LIMIT, 1, MAX_LIMIT);
      const offset = wholeNumber(tool, args, 'offset', 0, 0, 1_000_000);
      return findCalls(exec, criteria, limit, offset);
    },
  };
}

async function findCalls(exec: SqlExecutor, c: Criteria, limit: number, offset: number) {
  const db = exec.db;
  let query = db
    .selectFrom('calls as c')
    .leftJoin('calls_extensive as ce', 'ce.id', 'c.id')
    .select(['c.id', 'c.title', 'c.started_utc', 'ce.brief']);
  const exists = (build: (eb: any) => Expression<SqlBool>) => (query = query.where(build));
  if (c.from !== undefined) query = query.where(instantWhere(exec, 'c.started_utc', '>=', c.from));
  if (c.to !== undefined) query = query.where(instantWhere(exec, 'c.started_utc', '<', c.to));
  if (c.account) {
    // The CRM account when one matches; a company without one (no CRM context) by its participants' email domain.
    const inCrm = await exec.get(
      db
        .selectFrom('call_context_fields as f')
        .select('f.call_id')
        .where('f.object_type', '=', 'Account')
        .where(sql`lower(f.name)`, '=', 'name')
        .where(containsText('f.value', c.account))
        .limit(1),
    );
    if (inCrm) exists((eb) => eb.exists(crmObject(exec, 'Account', c.account!)));
    else {
      const domain = c.account.toLowerCase().replace(/[\s\\%_]+/g, '');
      exists((eb) =>
        eb.exists(
          db
            .selectFrom('call_parties as p')
            .select('p.id')
            .whereRef('p.call_id', '=', 'c.id')
            .where('p.affiliation', '<>', 'Internal')
            .where(sql<boolean>`lower(p.email_address) like ${`%@%${domain}%`}`),
        ),
      );
    }
  }
  if (c.opportunity) exists((eb) => eb.exists(crmObject(exec, 'Opportunity', c.opportunity!)));
  if (c.participant) exists((eb) => eb.exists(participantMatch(exec, c.participant!)));
  if (c.rep) {
    const users = repUsers(exec, c.rep);
    exists((eb) =>
      eb.or([
        eb('c.primary_user_id', 'in', users),
        eb.exists(db.selectFrom('call_parties as p').select('p.id').whereRef('p.call_id', '=', 'c.id').where('p.user_id', 'in', users)),
      ]),
    );
  }
  if (c.tracker)
    exists((eb) =>
      eb.exists(
        db
          .selectFrom('call_trackers as t')
          .select('t.call_id')
          .whereRef('t.call_id', '=', 'c.id')
          .where(sql`lower(t.name)`, '=', c.tracker!.toLowerCase())
          .where('t.count', '>', 0),
      ),
    );
  if (c.topic)
    exists((eb) =>
      eb.exists(
        db
          .selectFrom('call_topics as tp')
          .select('tp.call_id')
          .whereRef('tp.call_id', '=', 'c.id')
          .where(containsText('tp.name', c.topic!)),
      ),
    );
  if (c.outcome)
    exists((eb) => eb.or([containsText('ce.call_outcome_name', c.outcome!), containsText('ce.call_outcome_category', c.outcome!)]));

  type Candidate = { id: string; title: string | null; started_utc: unknown; brief: string | null };
  let ranked: Array<Candidate & { score: number; hits: number; where: string[] }>;
  let total: number;
  if (c.text) {
    // Text: every candidate scored (title, brief, key points, transcript hits), strongest first.
    const candidates = await exec.all<Candidate>(query);
    const words = c.text.toLowerCase().split(/\s+/).filter(Boolean);
    const holds = (value: string | null) => value !== null && words.every((w) => value.toLowerCase().includes(w));
    const hits = await transcriptHits(exec, words);
    const keyPoints = await keyPointMatches(exec, words);
    ranked = candidates
      .map((call) => {
        const where: string[] = [];
        let score = 0;
        if (holds(call.title)) where.push('title'), (score += 50);
        if (holds(call.brief)) where.push('brief'), (score += 20);
        if (keyPoints.has(call.id)) where.push('key points'), (score += 10);
        const n = hits.get(call.id) ?? 0;
        if (n > 0) where.push(`transcript (${n} sentence${n === 1 ? '' : 's'})`), (score += Math.min(n, 40));
        return { ...call, score, hits: n, where };
      })
      .filter((call) => call.score > 0)
      .sort(
        (a, b) =>
          b.score - a.score || String(isoText(b.started_utc)).localeCompare(String(isoText(a.started_utc))) || a.id.localeCompare(b.id),
      );
    total = ranked.length;
    ranked = ranked.slice(offset, offset + limit);
  } else {
    total = Number((await exec.get<{ n: unknown }>(query.clearSelect().select((eb) => eb.fn.countAll().as('n'))))?.n ?? 0);
    const rows = await exec.all<Candidate>(
      query.orderBy(byInstant(exec, 'c.started_utc'), 'desc').orderBy('c.id').limit(limit).offset(offset),
    );
    ranked = rows.map((row) => ({ ...row, score: 0, hits: 0, where: [] }));
  }
  const ids = ranked.map((r) => r.id);
  const details = await detailsOf(exec, ids);
  const calls = ranked.map((call) => {
    const d = details.get(call.id);
    return {
      id: call.id,
      title: call.title,
      started: isoText(call.started_utc),
      account: d?.accounts[0] ?? null,
      ...(d && d.opportunities.length > 0 ? { opportunity: d.opportunities[0] } : {}),
      participants: (d?.parties ?? []).slice(0, MAX_PARTICIPANTS),
      ...(d && d.parties.length > MAX_PARTICIPANTS ? { moreParticipants: d.parties.length - MAX_PARTICIPANTS } : {}),
      matched: reasons(c, call, d),
    };
  });
  const nextOffset = offset + calls.length < total ? offset + calls.length : undefined;
  return {
    source: 'local',
    total,
    calls,
    ...(nextOffset !== undefined ? { nextOffset, note: 'more calls: pass nextOffset as offset' } : {}),
  };
}

function crmObject(exec: SqlExecutor, type: 'Account' | 'Opportunity', name: string) {
  return exec.db
    .selectFrom('call_context_fields as f')
    .select('f.call_id')
    .whereRef('f.call_id', '=', 'c.id')
    .where('f.object_type', '=', type)
    .where(sql`lower(f.name)`, '=', 'name')
    .where(containsText('f.value', name));
}

function participantMatch(exec: SqlExecutor, who: string) {
  const q = exec.db.selectFrom('call_parties as p').select('p.id').whereRef('p.call_id', '=', 'c.id');
  const value = who.toLowerCase();
  if (value.includes('@') && !value.startsWith('@')) return q.where(sql`lower(p.email_address)`, '=', value);
  if (value.startsWith('@') || /^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(value)) {
    const domain = value.replace(/^@/, '');
    return q.where((eb) =>
      eb.or([eb(sql`lower(p.email_address)`, 'like', `%@${domain}`), eb(sql`lower(p.email_address)`, 'like', `%.${domain}`)]),
    );
  }
  return q.where(containsText('p.name', who));
}

function repUsers(exec: SqlExecutor, rep: string) {
  const q = exec.db.selectFrom('users as u').select('u.id');
  if (/^\d{1,20}$/.test(rep)) return q.where('u.id', '=', rep);
  if (rep.includes('@')) return q.where(sql`lower(u.email_address)`, '=', rep.toLowerCase());
  return q.where(containsText("coalesce(u.first_name, '') || ' ' || coalesce(u.last_name, '')", rep));
}

/** Longest the transcript scan of a text search may run (it runs off the main loop, then stops with a tool error). */
const TEXT_SEARCH_TIMEOUT_MS = 20_000;

/**
 * Sentences holding every word, counted per call. A scan of every sentence: it runs through the
 * adapter's read-only query, off the main loop, so other tools answer meanwhile.
 */
async function transcriptHits(exec: SqlExecutor, words: string[]): Promise<Map<string, number>> {
  let query = exec.db.selectFrom('transcript_sentences as s').select((eb) => ['s.call_id', eb.fn.countAll().as('n')]);
  // A NUL cannot travel as a PostgreSQL text value, and no sentence holds one.
  for (const word of words) query = query.where(containsText('s.text', word.replace(/\u0000/g, '')));
  try {
    const rows = await offLoopRows<{ call_id: string; n: unknown }>(exec, query.groupBy('s.call_id'), TEXT_SEARCH_TIMEOUT_MS);
    return new Map(rows.map((r) => [String(r.call_id), Number(r.n)]));
  } catch (error) {
    throw new ToolError(`find_calls: the transcript search failed: ${(error as Error).message.replace(/--timeout/, 'narrower criteria')}`);
  }
}

async function keyPointMatches(exec: SqlExecutor, words: string[]): Promise<Set<string>> {
  let q = exec.db.selectFrom('call_key_points as k').select('k.call_id').distinct();
  for (const word of words) q = q.where(containsText('k.text', word));
  return new Set((await exec.all<{ call_id: string }>(q)).map((r) => r.call_id));
}

interface CallDetails {
  accounts: string[];
  opportunities: string[];
  parties: Array<{ name: string | null; email: string | null; affiliation: string | null }>;
  trackers: Array<{ name: string; count: number }>;
  topics: string[];
  outcome: string | null;
  hostName: string | null;
}

/** Accounts, opportunities, participants, trackers, topics and outcome of these calls, in a few queries. */
export async function detailsOf(exec: SqlExecutor, ids: string[]): Promise<Map<string, CallDetails>> {
  const out = new Map<string, CallDetails>(
    ids.map((id) => [id, { accounts: [], opportunities: [], parties: [], trackers: [], topics: [], outcome: null, hostName: null }]),
  );
  if (ids.length === 0) return out;
  const db = exec.db;
  const crm = await exec.all<{ call_id: string; object_type: string; value: string | null }>(
    db
      .selectFrom('call_context_fields')
      .select(['call_id', 'object_type', 'value'])
      .where('call_id', 'in', ids)
      .where(sql`lower(name)`, '=', 'name')
      .where('object_type', 'in', ['Account', 'Opportunity'])
      .orderBy('call_id')
      .orderBy('object_id'),
  );
  for (const row of crm) {
    const d = out.get(row.call_id)!;
    if (row.value) (row.object_type === 'Account' ? d.accounts : d.opportunities).push(row.value);
  }
  const parties = await exec.all<{ call_id: string; name: string | null; email_address: string | null; affiliation: string | null }>(
    db
      .selectFrom('call_parties')
      .select(['call_id', 'name', 'email_address', 'affiliation'])
      .where('call_id', 'in', ids)
      .orderBy('call_id')
      .orderBy('affiliation')
      .orderBy('name'),
  );
  for (const p of parties) out.get(p.call_id)!.parties.push({ name: p.name, email: p.email_address, affiliation: p.affiliation });
  const trackers = await exec.all<{ call_id: string; name: string; count: unknown }>(
    db
      .selectFrom('call_trackers')
      .select(['call_id', 'name', 'count'])
      .where('call_id', 'in', ids)
      .where('count', '>', 0)
      .orderBy('call_id')
      .orderBy('count', 'desc'),
  );
  for (const t of trackers) out.get(t.call_id)!.trackers.push({ name: t.name, count: Number(t.count) });
  const topics = await exec.all<{ call_id: string; name: string }>(
    db.selectFrom('call_topics').select(['call_id', 'name']).where('call_id', 'in', ids).orderBy('call_id').orderBy('duration', 'desc'),
  );
  for (const t of topics) out.get(t.call_id)!.topics.push(t.name);
  const outcomes = await exec.all<{ id: string; call_outcome_name: string | null; call_outcome_category: string | null }>(
    db.selectFrom('calls_extensive').select(['id', 'call_outcome_name', 'call_outcome_category']).where('id', 'in', ids),
  );
  for (const o of outcomes) out.get(o.id)!.outcome = [o.call_outcome_category, o.call_outcome_name].filter(Boolean).join(': ') || null;
  return out;
}

function reasons(c: Criteria, call: { where: string[] }, d: CallDetails | undefined): string[] {
  const why: string[] = [];
  const lower = (s: string) => s.toLowerCase();
  if (c.account) {
    const account = d?.accounts.find((a) => lower(a).includes(lower(c.account!)));
    why.push(account ? `account "${account}" (CRM)` : `a participant's email domain contains "${c.account}"`);
  }
  if (c.opportunity)
    why.push(`opportunity "${d?.opportunities.find((o) => lower(o).includes(lower(c.opportunity!))) ?? c.opportunity}" (CRM)`);
  if (c.participant) {
    const p = d?.parties.find((x) => lower(`${x.name ?? ''} ${x.email ?? ''}`).includes(lower(c.participant!).replace(/^@/, '')));
    why.push(`participant ${p ? `${p.name ?? ''} <${p.email ?? ''}>`.trim() : c.participant}`);
  }
  if (c.rep) why.push(`rep matches "${c.rep}"`);
  if (c.from !== undefined || c.to !== undefined)
    why.push(
      `started ${c.from !== undefined ? `from ${utcInstant(c.from)}` : ''}${c.to !== undefined ? ` before ${utcInstant(c.to)}` : ''}`.replace(
        '  ',
        ' ',
      ),
    );
  if (c.tracker) {
    const t = d?.trackers.find((x) => lower(x.name) === lower(c.tracker!));
    why.push(`tracker "${t?.name ?? c.tracker}"${t ? ` (${t.count} hit${t.count === 1 ? '' : 's'})` : ''}`);
  }
  if (c.topic) why.push(`topic "${d?.topics.find((x) => lower(x).includes(lower(c.topic!))) ?? c.topic}"`);
  if (c.outcome) why.push(`outcome "${d?.outcome ?? c.outcome}"`);
  if (c.text) why.push(`"${c.text}" in ${call.where.join(', ')}`);
  if (why.length === 0) why.push('newest calls (no criteria given)');
  return why;
}
