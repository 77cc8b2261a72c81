import { sql } from 'kysely';
import type { SqlExecutor } from '../db/sql-executor.js';
import { objectSchema } from './json-schema.js';
import { ToolError, type McpTool } from './tool.js';
import { byInstant, containsText, isoText } from './copy-reads.js';
import { text, wholeNumber } from './tool-args.js';

const MAX_PEOPLE = 50;

/**
 * account_overview: one CRM account over time, from the copy (no Gong request): its calls by
 * month, the latest ones, the people met (theirs and ours), outcomes, opportunities, first and
 * last contact.
 */
export function accountOverviewTool(exec: SqlExecutor): McpTool {
  return {
    name: 'account_overview',
    description:
      'One CRM account from the local copy (no Gong request): calls per month, latest calls, people met (theirs and ours), outcomes, trackers, opportunities, first and last contact.',
    annotations: { readOnlyHint: true },
    inputSchema: objectSchema({
      account: { type: 'string', required: true, description: 'CRM account name or part (or its CRM id), e.g. "Berg Inc".' },
      recentCalls: { type: 'integer', description: 'Latest calls to list, 0-100 (default 10).' },
    }),
    async run(args) {
      const tool = 'account_overview';
      const wanted = text(tool, args, 'account', { required: true })!;
      const recent = wholeNumber(tool, args, 'recentCalls', 10, 0, 100);
      const db = exec.db;
      const candidates = await exec.all<{ object_id: string; value: string; calls: unknown }>(
        db
          .selectFrom('call_context_fields as f')
          .select((eb) => ['f.object_id', eb.fn.max('f.value').as('value'), eb.fn.count('f.call_id').distinct().as('calls')])
          .where('f.object_type', '=', 'Account')
          .where(sql`lower(f.name)`, '=', 'name')
          .where((eb) => eb.or([containsText('f.value', wanted), eb('f.object_id', '=', wanted)]))
          .groupBy('f.object_id'),
      );
      if (candidates.length === 0)
        throw new ToolError(
          `${tool}: no CRM account in the copy matches "${wanted}" (find_calls {account} also looks at participants' email domains)`,
        );
      const exact = candidates.filter((c) => c.value.toLowerCase() === wanted.toLowerCase() || c.object_id === wanted);
      const pool = exact.length > 0 ? exact : candidates;
      pool.sort((a, b) => Number(b.calls) - Number(a.calls) || a.value.localeCompare(b.value));
      const account = pool[0]!;
      const callIds = db
        .selectFrom('call_context_objects as o')
        .select('o.call_id')
        .where('o.object_type', '=', 'Account')
        .where('o.object_id', '=', account.object_id);
      const calls = await exec.all<{
        id: string;
        title: string | null;
        started_utc: unknown;
        outcome: string | null;
        category: string | null;
      }>(
        db
          .selectFrom('calls as c')
          .leftJoin('calls_extensive as ce', 'ce.id', 'c.id')
          .select(['c.id', 'c.title', 'c.started_utc', 'ce.call_outcome_name as outcome', 'ce.call_outcome_category as category'])
          .where('c.id', 'in', callIds)
          .orderBy(byInstant(exec, 'c.started_utc'), 'desc')
          .orderBy('c.id'),
      );
      const people = await exec.all<{
        name: string | null;
        email_address: string | null;
        affiliation: string | null;
        title: string | null;
        calls: unknown;
        last: unknown;
      }>(
        db
          .selectFrom('call_parties as p')
          .innerJoin('calls as c', 'c.id', 'p.call_id')
          .select((eb) => [
            eb.fn.max('p.name').as('name'),
            'p.email_address',
            eb.fn.max('p.affiliation').as('affiliation'),
            eb.fn.max('p.title').as('title'),
            eb.fn.count('p.call_id').distinct().as('calls'),
            eb.fn.max('c.started_utc').as('last'),
          ])
          .where('p.call_id', 'in', callIds)
          .groupBy('p.email_address'),
      );
      const trackers = await exec.all<{ name: string; hits: unknown }>(
        db
          .selectFrom('call_trackers')
          .select((eb) => ['name', eb.fn.sum('count').as('hits')])
          .where('call_id', 'in', callIds)
          .groupBy('name')
          .orderBy('hits', 'desc')
          .limit(10),
      );
      const opportunities = await exec.all<{ object_id: string; name: string; value: string | null }>(
        db
          .selectFrom('call_context_fields as f')
          .innerJoin('calls as c', 'c.id', 'f.call_id')
          .select(['f.object_id', 'f.name', 'f.value'])
          .where('f.object_type', '=', 'Opportunity')
          .where('f.call_id', 'in', callIds)
          .orderBy(byInstant(exec, 'c.started_utc'), 'asc'),
      );
      const opps = new Map<string, Record<string, string | null>>();
      // Oldest first, so each field ends with its value on the latest call.
      for (const o of opportunities) opps.set(o.object_id, { ...(opps.get(o.object_id) ?? {}), [o.name]: o.value });
      const byMonth = new Map<string, number>();
      const outcomes = new Map<string, number>();
      for (const c of calls) {
        const month = String(isoText(c.started_utc)).slice(0, 7);
        byMonth.set(month, (byMonth.get(month) ?? 0) + 1);
        const outcome = [c.category, c.outcome].filter(Boolean).join(': ') || 'unknown';
        outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
      }
      const sortedPeople = people
        .map((p) => ({
          name: p.name,
          email: p.email_address,
          affiliation: p.affiliation,
          ...(p.title ? { title: p.title } : {}),
          calls: Number(p.calls),
          lastMet: isoText(p.last),
        }))
        .sort((a, b) => b.calls - a.calls || String(b.lastMet).localeCompare(String(a.lastMet)));
      const external = sortedPeople.filter((p) => p.affiliation !== 'Internal');
      const internal = sortedPeople.filter((p) => p.affiliation === 'Internal');
      return {
        source: 'local',
        account: { id: account.object_id, name: account.value },
        ...(pool.length > 1 || candidates.length > pool.length
          ? {
              otherMatches: candidates
                .filter((c) => c !== account)
                .slice(0, 20)
                .map((c) => ({ id: c.object_id, name: c.value, calls: Number(c.calls) })),
            }
          : {}),
        totalCalls: calls.length,
        firstContact: calls.length ? isoText(calls[calls.length - 1]!.started_utc) : null,
        lastContact: calls.length ? isoText(calls[0]!.started_utc) : null,
        callsByMonth: [...byMonth.entries()].sort().map(([month, n]) => ({ month, calls: n })),
        outcomes: [...outcomes.entries()].map(([outcome, n]) => ({ outcome, calls: n })).sort((a, b) => b.calls - a.calls),
        opportunities: [...opps.entries()].map(([id, fields]) => ({ id, ...fields })),
        peopleMet: external.slice(0, MAX_PEOPLE),
        ourPeople: internal.slice(0, MAX_PEOPLE),
        topTrackers: trackers.map((t) => ({ name: t.name, hits: Number(t.hits) })).filter((t) => t.hits > 0),
        recentCalls: calls
          .slice(0, recent)
          .map((c) => ({ id: c.id, title: c.title, started: isoText(c.started_utc), outcome: c.outcome ?? null })),
      };
    },
  };
}
