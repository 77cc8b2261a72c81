import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { startSimulator } from './helpers/simulator.js';
import { messagesOf, runCli, simEnv, spawnCli } from './helpers/cli.js';
import { appFor, syncInProcess } from './helpers/in-process.js';
import { DESTINATIONS, MIRROR_STREAMS, SQLITE_GONG, rowsMentioning, type Destination } from './helpers/mirror-destinations.js';
import { runForget } from '../src/mirror/mirror-commands.js';
import { callsMentioning } from '../src/simulator/admin-routes.js';
import { silentLogger } from '../src/logger.js';
import { fetchAndStore } from '../src/runner/fetch-one.js';
import { findStream } from '../streams/index.js';
import type { GongSimulator } from '../src/simulator/server.js';

/** The external participant on the most calls (at least 2), and those calls. */
function frequentParticipant(sim: GongSimulator): { email: string; callIds: string[] } {
  const counts = new Map<string, number>();
  for (const call of sim.account.visibleCalls()) {
    for (const party of call.parties)
      if (party.affiliation === 'External' && party.emailAddress) counts.set(party.emailAddress, (counts.get(party.emailAddress) ?? 0) + 1);
  }
  const [email] = [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]!;
  return {
    email,
    callIds: callsMentioning(sim.account, { email })
      .map((c) => c.record.id)
      .sort(),
  };
}

/** Occurrences of the address in the bytes of a SQLite file and its WAL. */
function bytesOf(file: string, needle: string): number {
  let count = 0;
  for (const f of [file, `${file}-wal`]) {
    if (!fs.existsSync(f)) continue;
    const text = fs.readFileSync(f).toString('latin1').toLowerCase();
    for (let at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + 1)) count++;
  }
  return count;
}

async function forgetInProcess(
  sim: GongSimulator,
  target: string,
  options: { email?: string; phone?: string; dryRun?: boolean; includeUser?: boolean },
) {
  const app = await appFor(sim, target);
  try {
    return await runForget(app.database, { ...options, mediaDir: app.config.mediaDir, logger: silentLogger });
  } finally {
    await app.close();
  }
}

async function lastRunId(destination: Destination, target: string): Promise<number> {
  try {
    return Number((await destination.rows(target, 'select max(id) as id from _runs'))[0]?.id ?? 0);
  } catch {
    return 0; // still migrating
  }
}

async function callIdsOf(destination: Destination, target: string): Promise<string[]> {
  return (await destination.rows(target, 'select id from calls order by id')).map((r) => String(r.id));
}

describe.each(DESTINATIONS)('forget on $name', (destination) => {
  it('erases every call and row that mentions a participant, leaves no byte of the address, and a later sync brings nothing back', async () => {
    const sim = await startSimulator({ calls: 100, shapes: destination.shapes });
    const target = await destination.create();
    await syncInProcess(sim, target, { streams: MIRROR_STREAMS });
    const { email, callIds } = frequentParticipant(sim);
    expect(callIds.length).toBeGreaterThanOrEqual(2);
    expect((await rowsMentioning(destination, target, email)).length).toBeGreaterThan(0);
    const sqlite = destination.name.startsWith('SQLite');
    if (sqlite) expect(bytesOf(target, email)).toBeGreaterThan(0);

    const dry = await forgetInProcess(sim, target, { email: email.toUpperCase(), dryRun: true });
    expect(dry.callIds).toEqual(callIds);
    expect(dry.rowsByTable.calls).toBe(callIds.length);
    expect((await callIdsOf(destination, target)).filter((id) => callIds.includes(id))).toEqual(callIds);

    const report = await forgetInProcess(sim, target, { email });
    expect(report.callIds).toEqual(callIds);
    // It reports what it removed, table by table, as the dry run counted it (transcript sentences included).
    expect(report.rowsByTable.transcript_sentences).toBeGreaterThan(0);
    expect(report.rowsByTable).toEqual(dry.rowsByTable);
    expect(await rowsMentioning(destination, target, email)).toEqual([]);
    if (sqlite) expect(bytesOf(target, email)).toBe(0);
    const proof = await destination.rows(target, 'select * from _erasures');
    expect(proof).toHaveLength(1);
    expect(proof[0]).toMatchObject({ kind: 'email', hash: report.hash, calls_removed: callIds.length, rows_removed: report.rows });
    expect(report.hash).toMatch(/^[0-9a-f]{64}$/);
    // The proof an operator asks for later: nothing left, and when it went.
    const proved = await forgetInProcess(sim, target, { email, dryRun: true });
    expect(proved).toMatchObject({ callIds: [], rows: 0 });
    expect(proved.erasedBefore).toEqual([expect.objectContaining({ calls_removed: callIds.length, rows_removed: report.rows })]);

    // Gong still serves those calls: the next sync skips them.
    await syncInProcess(sim, target, { streams: MIRROR_STREAMS, env: { GONG_START_DATE: undefined } });
    const truth = sim.account
      .visibleCalls()
      .map((c) => c.record.id)
      .filter((id) => !callIds.includes(id))
      .sort();
    expect(await callIdsOf(destination, target)).toEqual(truth);
    // Nor does fetching one of them by id (`gong-sync get calls ID`): shown, not stored.
    const app = await appFor(sim, target);
    try {
      const shown = (await fetchAndStore({
        stream: findStream('calls')!,
        id: callIds[0]!,
        client: app.client,
        database: app.database,
        settings: { includePrivateCalls: true },
      })) as { id: string };
      expect(String(shown.id)).toBe(callIds[0]);
    } finally {
      await app.close();
    }
    expect(await callIdsOf(destination, target)).toEqual(truth);
    expect(await rowsMentioning(destination, target, email)).toEqual([]);
  });
});

describe('forget refusals, phone numbers and the command line', () => {
  it('refuses a Gong user of the account unless --include-user, and erases a phone number in any formatting', async () => {
    const sim = await startSimulator({ calls: 60 });
    const db = await SQLITE_GONG.create();
    await syncInProcess(sim, db, { streams: MIRROR_STREAMS });
    const user = sim.account.users.find((u) => u.phoneNumber)!;
    const refused = await forgetInProcess(sim, db, { email: user.emailAddress }).catch((e) => e);
    expect(refused.exitCode).toBe(2);
    expect(refused.message).toMatch(/belongs to a Gong user of this account .* run again with --include-user/);
    expect(refused.message).not.toContain(user.emailAddress);
    expect(await SQLITE_GONG.rows(db, 'select * from _erasures')).toEqual([]);

    const digits = user.phoneNumber!.replace(/\D/g, '');
    const report = await forgetInProcess(sim, db, {
      phone: `(${digits.slice(0, 1)}) ${digits.slice(1, 4)}-${digits.slice(4)}`,
      includeUser: true,
    });
    expect(report.rowsByTable.users).toBe(1);
    expect(await SQLITE_GONG.rows(db, `select id from users where id = '${user.id}'`)).toEqual([]);
    expect(bytesOf(db, user.phoneNumber!.toLowerCase())).toBe(0);

    const cli = await runCli(['forget', '--email', 'nobody@nowhere.example', '--dry-run'], simEnv(sim, db));
    expect(cli.code, cli.stderr).toBe(0);
    expect(cli.stdout).toMatch(/would remove 0 call\(s\) and 0 row\(s\); nothing was changed/);
    const both = await runCli(['forget', '--email', 'a@b.example', '--phone', '5550100'], simEnv(sim, db));
    expect(both.code).toBe(2);
    expect(messagesOf(both.stderr)).toMatch(/exactly one of --email ADDRESS or --phone NUMBER/);
  });
});

describe.each([SQLITE_GONG, DESTINATIONS[1]!])('forget killed at a random moment on $name', (destination) => {
  it('run again, it ends as one uninterrupted erasure', async () => {
    const sim = await startSimulator({ calls: 100, shapes: destination.shapes });
    const target = await destination.create();
    await syncInProcess(sim, target, { streams: MIRROR_STREAMS });
    const { email, callIds } = frequentParticipant(sim);
    const env = simEnv(sim, target);
    let kills = 0;
    // Different depths; a small copy may finish its erasure before the later ones: shorter delays
    // follow until it has been killed three times.
    for (const delayMs of [0, 80, 250, 40, 15, 5, 0]) {
      if (kills >= 3) break;
      // Killed once forget has begun its run (its `_runs` row appears), at a different depth each time.
      const before = await lastRunId(destination, target);
      const { child, result } = spawnCli(['forget', '--email', email], env);
      let ended = false;
      void result.then(() => (ended = true));
      while (!ended && (await lastRunId(destination, target)) === before) await new Promise((r) => setTimeout(r, 5));
      setTimeout(() => child.kill('SIGKILL'), delayMs);
      const outcome = await result;
      if (outcome.signal === 'SIGKILL') kills++;
      else expect(outcome.code, outcome.stderr).toBe(0);
    }
    expect(kills).toBeGreaterThanOrEqual(2);
    const last = await runCli(['forget', '--email', email], env);
    expect(last.code, last.stderr).toBe(0);
    expect(await rowsMentioning(destination, target, email)).toEqual([]);
    if (destination.name.startsWith('SQLite')) expect(bytesOf(target, email)).toBe(0);
    const proof = await destination.rows(target, 'select calls_removed from _erasures');
    expect(proof).toEqual([{ calls_removed: callIds.length }]);
    const truth = sim.account
      .visibleCalls()
      .map((c) => c.record.id)
      .filter((id) => !callIds.includes(id))
      .sort();
    expect(await callIdsOf(destination, target)).toEqual(truth);
  });
});
