import { migrateToLatest } from '../../db/database.js';
import { defineCommand } from '../command.js';

export default defineCommand({
  description: 'apply pending database migrations, SQLite or PostgreSQL (sync also does this)',
  stop: 'graceful',
  db: {},
  async run(app) {
    const database = await app.openDatabase();
    const { applied } = await migrateToLatest(database, app.signal);
    if (app.config.quiet) return { exitCode: 0 };
    return { exitCode: 0, stdout: applied.length > 0 ? `applied: ${applied.join(', ')}` : 'database is up to date' };
  },
});
