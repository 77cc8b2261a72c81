import type { Command } from 'commander';
import { createApp, createAppLogger } from '../../app.js';
import { parseDate } from '../../config.js';
import { ConfigError } from '../../errors.js';
import { estimatePlan } from '../../plan/estimate.js';
import { formatPlan } from '../../plan/format.js';
import { startDateProblem } from '../../runner/pass-windows.js';
import { selectStreams } from '../stream-selection.js';
import type { CommandResult } from '../main.js';
import { commandConfig } from '../command-config.js';

export function registerPlan(program: Command, done: (result: Promise<CommandResult>) => void) {
  program
    .command('plan')
    .description('estimate a first sync (or a backfill from --from) before it runs: requests per stream, total, days at the daily budget, ETA; at most 20 requests')
    .option('--from <date>', 'where the sync or backfill starts (default GONG_START_DATE, or 365 days ago)')
    .option('--streams <names>', 'comma-separated stream names (default: all but the opt-in media streams)')
    .option('--json', 'print {requests, days, streams, ...} as JSON')
    .option('--db <file>', 'SQLite file or postgres:// URL whose budget and pacing to share (env GONG_DB, default ./gong.db)')
    .action((options: PlanFlags, command: Command) => done(planCommand(options, command)));
}

interface PlanFlags {
  from?: string;
  streams?: string;
  json?: boolean;
  db?: string;
}

async function planCommand(options: PlanFlags, command: Command): Promise<CommandResult> {
  const config = commandConfig(command, options);
  const startDate = options.from ? parseDate(options.from, '--from') : config.startDate;
  const tooEarly = startDateProblem(startDate, options.from ? '--from' : 'GONG_START_DATE');
  if (tooEarly) throw new ConfigError(tooEarly);
  const selected = selectStreams(options.streams);
  const app = await createApp(config, createAppLogger(config));
  try {
    const plan = await estimatePlan({
      client: app.client,
      streams: selected,
      settings: { includePrivateCalls: config.includePrivateCalls, exposedFields: config.exposedFields },
      runStartedAt: new Date(),
      timeZone: config.timeZone,
      startDate,
      dailyBudget: config.dailyBudget,
      usedToday: await app.counter.usedToday(),
      requestsPerSecond: config.rateLimit,
      connectionCheck: true,
    });
    return { exitCode: 0, stdout: options.json ? JSON.stringify(plan, null, 2) : formatPlan(plan, { daily: config.dailyBudget, rate: config.rateLimit }) };
  } finally {
    await app.close();
  }
}
