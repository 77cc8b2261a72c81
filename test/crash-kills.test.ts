import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startSimulator } from './helpers/simulator.js';
import { runInProcess, simEnv, spawnCli, tempDir } from './helpers/cli.js';
import { contentOf, query } from './helpers/database.js';
import { expectConsistentState } from './helpers/invariants.js';
import { Random } from '../src/simulator/random.js';
import { SYNCED_STREAMS, SYNCED_TABLES } from './helpers/streams.js';

/**
 * Processes killed at random moments (the kills are the subject, so the victims are real CLI
 * processes; the reference and healing runs go through main() in process). A failure prints its
 * seed: CRASH_SEED=<seed> npx vitest run test/crash-kills.test.ts replays it.
 */
const STREAMS = SYNCED_STREAMS;
const TABLES = SYNCED_TABLES;
/** CI runs 25 kills; CRASH_KILLS=200 npx vitest run test/crash-kills.test.ts for a longer campaign. */
const KILLS = Number(process.env.CRASH_KILLS ?? 25);
/** A kill and the run after it take a few seconds on a loaded machine: the timeout grows with the count. */
const CRASH_TIMEOUT_MS = 60_000 + KILLS * 12_000;

describe('crash campaign', () => {
  it(
    `SIGKILLed at ${KILLS} random moments, a sync still ends row for row equal to an uninterrupted one`,
    async () => {
      const sim = await startSimulator({ calls: 1500, faults: { latencyMs: 3 } });
      const dir = tempDir();
      const reference = path.join(dir, 'reference.db');
      expect((await runInProcess(['sync', '--streams', STREAMS], simEnv(sim, reference))).code).toBe(0);
      let victim = path.join(dir, 'victim-0.db');
      const seed = Number(process.env.CRASH_SEED ?? Date.now() % 100_000);
      const random = new Random(seed);
      let kills = 0;
      let completions = 0;
      for (let attempt = 0; kills < KILLS && attempt < KILLS * 4; attempt++) {
        const { child, result } = spawnCli(['sync', '--streams', STREAMS], simEnv(sim, victim));
        // Half the kills land at a random request (in flight, or while its page commits), half at a random time.
        let seen = 0;
        const atRequest = random.int(1, 30);
        const delay = random.int(0, 12);
        let timer: NodeJS.Timeout | undefined;
        if (random.chance(0.5)) {
          sim.onRequest = (entry) => {
            if (entry.path.startsWith('/v2/') && ++seen === atRequest) setTimeout(() => child.kill('SIGKILL'), delay);
          };
        } else {
          timer = setTimeout(() => child.kill('SIGKILL'), random.int(200, 1400));
        }
        const outcome = await result;
        clearTimeout(timer);
        sim.onRequest = undefined;
        expectConsistentState(victim, sim);
        if (outcome.signal === 'SIGKILL') {
          kills++;
          continue;
        }
        // The run outlived its kill: it must have completed, with exactly the reference's rows.
        expect(outcome.code, `run ${attempt} (seed ${seed}): ${outcome.stderr.slice(-500)}`).toBe(0);
        expect(contentOf(victim, TABLES), `seed ${seed}`).toEqual(contentOf(reference, TABLES));
        completions++;
        victim = path.join(dir, `victim-${completions}.db`);
      }
      expect(kills, `seed ${seed}`).toBe(KILLS);
      const final = await runInProcess(['sync', '--streams', STREAMS], simEnv(sim, victim));
      expect(final.code).toBe(0);
      expect(contentOf(victim, TABLES)).toEqual(contentOf(reference, TABLES));
      expectConsistentState(victim, sim);
      expect(query(victim, 'select * from _sync_state where checkpoint is not null')).toEqual([]);
      expect(query(victim, "select count(*) n from _runs where outcome = 'running'")).toEqual([{ n: 0 }]);
    },
    CRASH_TIMEOUT_MS,
  );
});

/** CI runs 24 first-run kills (half SIGKILL, half SIGTERM); FIRST_RUN_KILLS=100 for a longer campaign. */
const FIRST_RUN_KILLS = Math.max(20, Number(process.env.FIRST_RUN_KILLS ?? 24));

async function fileAppears(file: string, child: import('node:child_process').ChildProcess, limitMs = 20_000): Promise<boolean> {
  const started = Date.now();
  while (!fs.existsSync(file)) {
    if (child.exitCode !== null || child.signalCode !== null || Date.now() - started > limitMs) return false;
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  return true;
}

describe('first-run crash campaign', () => {
  it(
    `killed ${FIRST_RUN_KILLS} times in the first second of a fresh database (SIGKILL and SIGTERM), every database then migrates and syncs`,
    async () => {
      const sim = await startSimulator({ calls: 60 });
      const dir = tempDir();
      const reference = path.join(dir, 'reference.db');
      expect((await runInProcess(['sync', '--streams', STREAMS], simEnv(sim, reference))).code).toBe(0);
      const seed = Number(process.env.CRASH_SEED ?? Date.now() % 100_000);
      const random = new Random(seed);
      const codes: Record<string, number> = {};
      for (let kill = 0; kill < FIRST_RUN_KILLS; kill++) {
        const victim = path.join(dir, `first-${kill}.db`);
        const signal: NodeJS.Signals = kill % 2 === 0 ? 'SIGKILL' : 'SIGTERM';
        const command = random.chance(0.5) ? ['migrate'] : ['sync', '--streams', STREAMS];
        const { child, result } = spawnCli(command, simEnv(sim, victim));
        // Most kills land within a few milliseconds of the file appearing (inside the first migration),
        // the others anywhere in the first second.
        if (random.chance(0.7)) {
          if (await fileAppears(victim, child)) await new Promise((resolve) => setTimeout(resolve, random.int(0, 40)));
        } else {
          await new Promise((resolve) => setTimeout(resolve, random.int(50, 1000)));
        }
        child.kill(signal);
        const outcome = await result;
        const label = `kill ${kill} (${signal} of ${command[0]}, seed ${seed}): ${outcome.stderr.slice(-400)}`;
        const key = `${signal}->${outcome.signal ?? outcome.code}`;
        codes[key] = (codes[key] ?? 0) + 1;
        if (signal === 'SIGTERM' && fs.existsSync(victim)) {
          // The handlers are in place before the database is opened: a clean stop (3) or a finished run (0).
          expect([0, 3], label).toContain(outcome.code);
        }
        expectConsistentState(victim, sim);
        if (random.chance(0.5)) expect((await runInProcess(['migrate'], simEnv(sim, victim))).code, label).toBe(0);
        const healed = await runInProcess(['sync', '--streams', STREAMS], simEnv(sim, victim));
        expect(healed.code, `${label}\nnext sync: ${healed.stderr.slice(-400)}`).toBe(0);
        expect(contentOf(victim, TABLES), label).toEqual(contentOf(reference, TABLES));
        expect(query(victim, "select count(*) n from _runs where outcome = 'running'"), label).toEqual([{ n: 0 }]);
        fs.rmSync(victim, { force: true });
      }
      // Reported so a run shows where the kills landed (e.g. SIGTERM->3, SIGKILL->SIGKILL).
      console.info(`first-run kills (seed ${seed}): ${JSON.stringify(codes)}`);
    },
    60_000 + FIRST_RUN_KILLS * 15_000,
  );
});
