import { parseDate } from '../../config.js';
import { ConfigError } from '../../errors.js';
import { estimatePlan } from '../../plan/estimate.js';
import { formatPlan } from '../../plan/format.js';
import { startDateProblem } from '../../runner/pass-windows.js';
import { defineCommand } from '../command.js';
import { selectStreams } from '../stream-selection.js';

interface PlanFlags {
  from?: string;
  streams?: string;
  json?: boolean;
}

export default defineCommand<PlanFlags>({
  description:
    'estimate a first sync (or a backfill from --from) before it runs: requests per stream, total, days at the daily budget, ETA; at most 20 requests',
  stop: 'immediate',
  db: { purpose: 'whose request budget and pacing to share' },
  declare: (command) =>
    command
      .option('--from <date>', 'where the sync or backfill starts (default GONG_START_DATE, or 365 days ago)')
      .option('--streams <names>', 'comma-separated stream names (default: all but the opt-in media streams)')
      .option('--json', 'print {requests, days, streams, ...} as JSON'),
  async run(app, _args, flags) {
    const { config } = app;
    const startDate = flags.from ? parseDate(flags.from, '--from') : config.startDate;
    const tooEarly = startDateProblem(startDate, flags.from ? '--from' : 'GONG_START_DATE');
    if (tooEarly) throw new ConfigError(tooEarly);
    const selected = selectStreams(flags.streams);
    const gong = await app.connect();
    const plan = await estimatePlan({
      client: gong.client,
      streams: selected,
      settings: { includePrivateCalls: config.includePrivateCalls, exposedFields: config.exposedFields },
      runStartedAt: new Date(),
      timeZone: config.timeZone,
      startDate,
      dailyBudget: config.dailyBudget,
      usedToday: await gong.counter.usedToday(),
      requestsPerSecond: config.rateLimit,
      connectionCheck: true,
    });
    return {
      exitCode: 0,
      stdout: flags.json ? JSON.stringify(plan, null, 2) : formatPlan(plan, { daily: config.dailyBudget, rate: config.rateLimit }),
    };
  },
});
