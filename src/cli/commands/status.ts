import { formatStatus, readStatus } from '../../status.js';
import { streams } from '../../../streams/index.js';
import { defineCommand } from '../command.js';

export default defineCommand<{ json?: boolean }>({
  description: 'per stream: bookmark, last success, rows, pending work; recent runs; requests used today (SQLite or PostgreSQL, read only)',
  stop: 'immediate',
  db: {},
  declare: (command) => command.option('--json', 'print the status as JSON (stable shape, see README)'),
  async run(app, _args, flags) {
    const database = await app.openDatabase({ readonly: true });
    const report = await readStatus(database, streams, app.config.dailyBudget);
    return { exitCode: 0, stdout: flags.json ? JSON.stringify(report, null, 2) : formatStatus(report) };
  },
});
