import { openMigratedDatabase } from '../../app.js';
import { formatForget, runForget } from '../../mirror/mirror-commands.js';
import { defineCommand } from '../command.js';

interface ForgetFlags {
  email?: string;
  phone?: string;
  dryRun?: boolean;
  includeUser?: boolean;
}

export default defineCommand<ForgetFlags>({
  description:
    'erase a person: every call and row that mentions the address, no byte of it left in the database files, proof in _erasures (no Gong credentials needed)',
  // One transaction, then the clean-up: a signal ends it at once, and running it again finishes the job.
  stop: 'immediate',
  db: {},
  declare: (command) =>
    command
      .option('--email <address>', 'the e-mail address to erase')
      .option('--phone <number>', 'the phone number to erase (any formatting)')
      .option('--dry-run', 'list what would be removed (and earlier erasures of it); change nothing')
      .option('--include-user', 'also when the address is a Gong user of the account (removes every call they took part in)'),
  async run(app, _args, flags) {
    const database = await openMigratedDatabase(app.config.dbFile, app.logger, app.config.dbSchema, app.signal);
    try {
      const report = await runForget(database, { ...flags, mediaDir: app.config.mediaDir, logger: app.logger });
      const left = Object.entries(report.bytesLeft ?? {}).filter(([, n]) => n > 0);
      if (left.length > 0) {
        // The rows are gone but a copy of the bytes is not (another process kept the WAL from being emptied).
        app.logger.error(
          `forget removed every row, but the address is still in the bytes of ${left.map(([f]) => f).join(' and ')}: ` +
            'close other processes that have the database open (mcp, query, a sync) and run the same forget again',
        );
      }
      return { exitCode: left.length > 0 ? 1 : 0, stdout: app.config.quiet ? undefined : formatForget(report) };
    } finally {
      await database.close();
    }
  },
});
