import { GongSimulator, DEMO_CREDENTIALS } from '../../simulator/server.js';
import { SqlExecutor } from '../../db/sql-executor.js';
import { ConfigError } from '../../errors.js';
import { displayTarget } from '../../db/postgres-database.js';
import { defineCommand } from '../command.js';
import { commandName } from '../../command-name.js';
import { runWithProgress } from '../run-with-progress.js';
import { selectStreams } from '../stream-selection.js';
import { reportExitCode, formatSyncReport } from '../report-output.js';

interface DemoFlags {
  db: string;
  calls: string;
  days: string;
  streams?: string;
}

export default defineCommand<DemoFlags>({
  description: 'start the built-in simulated Gong API on 127.0.0.1 and sync it into demo.db (no Gong account needed)',
  stop: 'graceful',
  db: { purpose: 'to sync into', default: 'demo.db' },
  declare: (command) =>
    command
      .option('--calls <n>', 'calls in the simulated account', '300')
      .option('--days <n>', 'days of history in the simulated account (and synced)', '90')
      .option('--streams <names>', 'comma-separated stream names (default: all but the opt-in media streams)'),
  async run(app, _args, flags) {
    const calls = Number(flags.calls);
    const days = Number(flags.days);
    if (!Number.isInteger(calls) || calls < 1 || calls > 100_000)
      throw new ConfigError(`--calls "${flags.calls}" is not valid: expected a whole number from 1 to 100000`);
    if (!Number.isInteger(days) || days < 1 || days > 730)
      throw new ConfigError(`--days "${flags.days}" is not valid: expected a whole number of days from 1 to 730`);
    const selected = selectStreams(flags.streams);
    const sim = await GongSimulator.start({ calls, days });
    try {
      // The demo talks only to its own simulator, whatever the environment says about Gong.
      app.overrideEnvironment({
        GONG_BASE_URL: sim.url,
        GONG_ACCESS_KEY: DEMO_CREDENTIALS.accessKey,
        GONG_ACCESS_KEY_SECRET: DEMO_CREDENTIALS.accessKeySecret,
        GONG_ACCESS_TOKEN: undefined,
        GONG_START_DATE: new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10),
      });
      const { config, logger } = app;
      logger.info(
        `simulated Gong API on ${sim.url}: ${calls} calls over ${days} days; syncing into ${displayTarget(config.dbFile)} at ${config.rateLimit} requests/s`,
      );
      const gong = await app.connect();
      // Live progress on a terminal, as `sync` shows it.
      const report = await runWithProgress(gong, selected, { command: 'demo' });
      const exec = new SqlExecutor(gong.database);
      const tables = [...new Set(selected.flatMap((s) => s.tables.map((t) => t.name)))];
      const counts: string[] = [];
      for (const t of tables)
        counts.push(
          `  ${t.padEnd(28)} ${(await exec.get<{ n: number }>(exec.db.selectFrom(t).select((eb) => eb.fn.countAll().as('n'))))?.n ?? 0}`,
        );
      const lines = [
        formatSyncReport(report),
        '',
        `rows per table in ${gong.database.file}:`,
        ...counts,
        '',
        `requests used: ${report.requests} (${sim.stats.throttled} throttled by the simulator), elapsed ${(report.elapsedMs / 1000).toFixed(1)}s`,
        `try: ${commandName()} query "select title, started from calls order by started desc limit 5" --db ${gong.database.file === config.dbFile ? config.dbFile : '"$GONG_DB"'}`,
      ];
      return { exitCode: reportExitCode(report), stdout: lines.join('\n') };
    } finally {
      // The app closes before its simulator stops (an open client must not see the server vanish).
      await app.close();
      await sim.stop();
    }
  },
});
