import fs from 'node:fs';
import cron from 'node-cron';
import type { AppRoot } from '../../app.js';
import { ConfigError, LockHeldError, describeError } from '../../errors.js';
import { runSync } from '../../runner/sync.js';
import { newRunId } from '../../logger.js';
import { syncOptions } from '../../app.js';
import { defineCommand, type CommandResult } from '../command.js';
import { selectStreams } from '../stream-selection.js';
import { withStopSignals } from '../signals.js';
import { connectionCheckOf } from './check.js';
import { cronSurprises, describeNextRuns } from '../cron-calendar.js';
import { reconcileOnSchedule, reconcileScheduleFromEnv } from '../../mirror/reconcile-schedule.js';
import { startWebhook } from '../../webhook/serve.js';
import { Mutex } from '../../webhook/mutex.js';

interface ScheduleFlags {
  cron: string;
  timezone: string;
  streams?: string;
  now?: boolean;
  heartbeatFile?: string;
  webhookPort?: string;
  webhookHost: string;
}

export default defineCommand<ScheduleFlags>({
  description: 'run sync on a cron schedule (default hourly), never two at once; SIGINT/SIGTERM stop it cleanly',
  stop: 'graceful',
  db: {},
  declare: (command) =>
    command
      .option('--cron <expr>', 'cron expression (5 fields, or 6 with seconds)', '0 * * * *')
      .option(
        '--timezone <tz>',
        'time zone of the cron expression (env GONG_SCHEDULE_TIMEZONE)',
        process.env.GONG_SCHEDULE_TIMEZONE ?? 'UTC',
      )
      .option('--streams <names>', 'comma-separated stream names (default: all but the opt-in media streams)')
      .option('--now', 'also run once immediately at start')
      .option(
        '--heartbeat-file <file>',
        'touch this file every 30 s while the scheduler is alive, for a liveness check (env GONG_HEARTBEAT_FILE)',
        process.env.GONG_HEARTBEAT_FILE,
      )
      .option('--webhook-port <n>', 'also receive Gong automation-rule posts on this port (as `gong-sync webhook`)')
      .option('--webhook-host <host>', 'address the webhook receiver listens on', '127.0.0.1'),
  run: (app, _args, flags) => scheduleCommand(app, flags),
});

async function scheduleCommand(app: AppRoot, options: ScheduleFlags): Promise<CommandResult> {
  const check = cron.validateDetailed(options.cron);
  if (!check.valid) {
    throw new ConfigError(
      `--cron "${options.cron}" is not a cron expression (${check.errors.map((e) => e.message).join('; ')}): expected e.g. "0 * * * *" (hourly) or "*/15 * * * *"`,
    );
  }
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: options.timezone });
  } catch {
    throw new ConfigError(`--timezone "${options.timezone}" is not a time zone: expected an IANA name such as UTC or Europe/Berlin`);
  }
  const selected = selectStreams(options.streams);
  const reconcileSchedule = reconcileScheduleFromEnv(app.env);
  const { config, logger } = app;
  const gong = await app.connect();
  let interrupted = false;
  // A posted call and a scheduled sync of this process never run at once.
  const webhookMutex = new Mutex();
  try {
    await withStopSignals(async (signal) => {
      let running: Promise<void> | undefined;
      const runOnce = (reason: string) => {
        if (running) {
          logger.warn(`${reason} run skipped: the previous run is still going`);
          return;
        }
        running = (async () => {
          try {
            const report = await webhookMutex.run(() =>
              runSync(syncOptions(gong, selected, { command: 'schedule', signal, preflight: connectionCheckOf(gong), runId: newRunId() })),
            );
            logger.info(`scheduled sync ${report.outcome}: ${report.rowsWritten} rows, ${report.requests} requests`, {
              event: 'scheduled_run',
              outcome: report.outcome,
            });
            if (report.error) logger.error(report.error.message);
            if (report.outcome === 'stopped' && signal.aborted) interrupted = true;
            if (report.outcome === 'succeeded') await reconcileOnSchedule(gong, signal, reconcileSchedule);
          } catch (error) {
            if (error instanceof LockHeldError) logger.warn(`scheduled run skipped: ${error.message}`);
            else logger.error(`scheduled run failed: ${describeError(error)}`);
          } finally {
            running = undefined;
            const next = task.getNextRun();
            if (!signal.aborted && next) logger.info(`next run at ${next.toISOString()}`);
          }
        })();
      };
      const task = cron.schedule(options.cron, () => runOnce('scheduled'), {
        timezone: options.timezone,
        noOverlap: true,
        name: 'gong-sync',
      });
      const heartbeat = startHeartbeat(options.heartbeatFile, logger);
      signal.addEventListener('abort', () => clearInterval(heartbeat), { once: true });
      logger.info(`scheduled "${options.cron}" (${options.timezone}); next run at ${task.getNextRun()?.toISOString() ?? 'never'}`);
      logger.info(`next runs: ${describeNextRuns(task.getNextRuns(3), options.timezone).join(', ')}`, { event: 'next_runs' });
      // A time the calendar does not have (a daylight-saving gap, February 29) is said, not silently skipped.
      for (const surprise of cronSurprises(options.cron, options.timezone)) {
        const log = surprise.minor ? logger.info : logger.warn;
        log(`--cron "${options.cron}": ${surprise.message}`, { event: 'cron_time_missing', wall_clock: surprise.wallClock });
      }
      const receiver =
        options.webhookPort === undefined
          ? undefined
          : await startWebhook(gong, {
              host: options.webhookHost,
              port: Number(options.webhookPort),
              publicKeyPem: app.env.GONG_WEBHOOK_PUBLIC_KEY || undefined,
              settings: { includePrivateCalls: config.includePrivateCalls, exposedFields: config.exposedFields },
              logger,
              signal,
              mutex: webhookMutex,
            });
      if (options.now) runOnce('initial');
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
      await receiver?.stop();
      await task.stop();
      await task.destroy();
      await running;
    });
  } finally {
    await app.close();
  }
  return { exitCode: interrupted ? 3 : 0, stdout: config.quiet ? undefined : 'scheduler stopped' };
}

/** Liveness for containers and supervisors: the file's mtime is at most 30 s old while the scheduler lives. */
function startHeartbeat(file: string | undefined, logger: { warn(message: string): void }): NodeJS.Timeout | undefined {
  if (!file) return undefined;
  let warned = false;
  const touch = () => {
    try {
      const now = new Date();
      try {
        fs.utimesSync(file, now, now);
      } catch {
        fs.writeFileSync(file, `${process.pid}\n`);
      }
    } catch (error) {
      if (!warned) logger.warn(`cannot touch the heartbeat file ${file}: ${describeError(error)}`);
      warned = true;
    }
  };
  touch();
  const timer = setInterval(touch, 30_000);
  timer.unref();
  return timer;
}
