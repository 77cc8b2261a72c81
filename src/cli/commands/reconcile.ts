import { parseDate } from '../../config.js';
import { ConfigError } from '../../errors.js';
import { formatReconcile, parseShare, runReconcile } from '../../mirror/mirror-commands.js';
import { defineCommand } from '../command.js';

interface ReconcileFlags {
  from?: string;
  to?: string;
  maxDeleteShare?: string;
}

export default defineCommand<ReconcileFlags>({
  description:
    'list call ids again and remove calls Gong no longer serves (deleted, purged, erased) from every table; resumable; SQLite or PostgreSQL',
  stop: 'graceful',
  db: {},
  declare: (command) =>
    command
      .option('--from <date>', 'start, YYYY-MM-DD or ISO date-time (default: the earliest call held)')
      .option('--to <date>', 'end, exclusive (default: now)')
      .option(
        '--max-delete-share <share>',
        'stop (exit 3, nothing removed there) when a window would lose more than this share of its calls (env GONG_RECONCILE_MAX_DELETE_SHARE, default 0.2)',
      ),
  async run(app, _args, flags) {
    const from = flags.from ? parseDate(flags.from, '--from') : undefined;
    const to = flags.to ? parseDate(flags.to, '--to') : undefined;
    if (from && to && from >= to) throw new ConfigError(`--from ${flags.from} must be before --to ${flags.to}`);
    const share = flags.maxDeleteShare ?? app.env.GONG_RECONCILE_MAX_DELETE_SHARE;
    const maxDeleteShare = parseShare(share, flags.maxDeleteShare !== undefined ? '--max-delete-share' : 'GONG_RECONCILE_MAX_DELETE_SHARE');
    const gong = await app.connect();
    const report = await runReconcile(gong, { from, to, maxDeleteShare, signal: app.signal });
    return { exitCode: 0, stdout: app.config.quiet ? undefined : formatReconcile(report) };
  },
});
