import { parseDate } from '../../config.js';
import { formatRepair, runRepair } from '../../mirror/mirror-commands.js';
import { defineCommand } from '../command.js';

interface RepairFlags {
  transcripts?: boolean;
  from?: string;
}

export default defineCommand<RepairFlags>({
  description:
    're-read, by id, exactly the calls call_completeness shows as incomplete (no extensive data, no transcript); SQLite or PostgreSQL',
  stop: 'graceful',
  db: {},
  declare: (command) =>
    command
      .option('--transcripts', 'only transcripts')
      .option('--from <date>', 'only calls that started on or after this date (YYYY-MM-DD)'),
  async run(app, _args, flags) {
    const from = flags.from ? parseDate(flags.from, '--from') : undefined;
    const gong = await app.connect();
    const report = await runRepair(gong, { transcriptsOnly: flags.transcripts, from, signal: app.signal });
    return { exitCode: 0, stdout: app.config.quiet ? undefined : formatRepair(report) };
  },
});
