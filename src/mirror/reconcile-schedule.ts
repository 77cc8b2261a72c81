import type { App } from '../app.js';
import { SqlExecutor } from '../db/sql-executor.js';
import { ConfigError, LockHeldError, describeError } from '../errors.js';
import { SyncStateStore } from '../../state/sync-state-store.js';
import { formatReconcile, parseShare, runReconcile } from './mirror-commands.js';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/** When scheduled runs reconcile (environment; 0 turns a kind off). */
export interface ReconcileSchedule {
  /** The recent window, in days (GONG_RECONCILE_RECENT_DAYS, default 30) ... */
  recentDays: number;
  /** ... reconciled at most this often (GONG_RECONCILE_RECENT_EVERY_HOURS, default 24). */
  recentEveryHours: number;
  /** The whole history, at most this often (GONG_RECONCILE_FULL_EVERY_DAYS, default 7). */
  fullEveryDays: number;
  maxDeleteShare: number;
}

export function reconcileScheduleFromEnv(env: NodeJS.ProcessEnv = process.env): ReconcileSchedule {
  const number = (name: string, fallback: number) => {
    const value = env[name];
    if (value === undefined || value.trim() === '') return fallback;
    const n = Number(value);
    if (!Number.isFinite(n) || n < 0) throw new ConfigError(`${name} "${value}" must be a number of 0 or more (0 turns it off)`);
    return n;
  };
  return {
    recentDays: number('GONG_RECONCILE_RECENT_DAYS', 30),
    recentEveryHours: number('GONG_RECONCILE_RECENT_EVERY_HOURS', 24),
    fullEveryDays: number('GONG_RECONCILE_FULL_EVERY_DAYS', 7),
    maxDeleteShare: parseShare(env.GONG_RECONCILE_MAX_DELETE_SHARE, 'GONG_RECONCILE_MAX_DELETE_SHARE'),
  };
}

/**
 * Called after a scheduled sync: reconciles the recent window when its last success is older than
 * `recentEveryHours`, and the whole history when that is older than `fullEveryDays`, each with its
 * own progress (a stopped one resumes at the next scheduled run). Requests count against the same
 * daily budget: a spent budget stops it like a sync (logged, never fatal to the scheduler).
 */
export async function reconcileOnSchedule(
  app: App,
  signal: AbortSignal,
  schedule: ReconcileSchedule = reconcileScheduleFromEnv(),
  now = new Date(),
): Promise<void> {
  const state = new SyncStateStore(new SqlExecutor(app.database));
  const due = async (scope: string, everyMs: number) => {
    const saved = await state.get({ stream: 'reconcile', partitionKey: '', scope: `reconcile:${scope}` });
    if (saved?.checkpoint) return true;
    return !saved?.lastSuccessAt || now.getTime() - Date.parse(saved.lastSuccessAt) >= everyMs;
  };
  const plans: Array<{ scope: string; from?: Date; enabled: boolean; everyMs: number }> = [
    { scope: 'scheduled-full', enabled: schedule.fullEveryDays > 0, everyMs: schedule.fullEveryDays * DAY_MS },
    {
      scope: 'scheduled-recent',
      from: new Date(now.getTime() - schedule.recentDays * DAY_MS),
      enabled: schedule.recentDays > 0,
      everyMs: schedule.recentEveryHours * HOUR_MS,
    },
  ];
  let fullRan = false;
  for (const plan of plans) {
    if (!plan.enabled || signal.aborted || !(await due(plan.scope, plan.everyMs))) continue;
    // A full pass this time covered the recent window too: no second listing of the same days.
    if (plan.scope === 'scheduled-recent' && fullRan) continue;
    try {
      const report = await runReconcile(app, {
        from: plan.from,
        scope: plan.scope,
        maxDeleteShare: schedule.maxDeleteShare,
        signal,
        command: 'schedule:reconcile',
      });
      app.logger.info(`scheduled ${plan.scope.replace('scheduled-', '')} ${formatReconcile(report)}`, {
        event: 'scheduled_reconcile',
        removed: report.removed.length,
      });
      if (plan.scope === 'scheduled-full') {
        fullRan = true;
        // It covered the recent window: that counts as its daily pass too.
        await new SyncStateStore(new SqlExecutor(app.database), () => now).complete(
          { stream: 'reconcile', partitionKey: '', scope: 'reconcile:scheduled-recent' },
          now.toISOString(),
          { success: true },
        );
      }
    } catch (error) {
      if (error instanceof LockHeldError) app.logger.warn(`scheduled reconcile skipped: ${error.message}`);
      else app.logger.error(`scheduled reconcile stopped: ${describeError(error)}`);
      return;
    }
  }
}
