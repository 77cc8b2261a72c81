import { ConfigError } from '../../errors.js';
import { fetchAndStore } from '../../runner/fetch-one.js';
import { findStream } from '../../../streams/index.js';
import { defineCommand } from '../command.js';

const ENTITIES = ['users', 'calls'];

export default defineCommand({
  description: 'fetch one user or call live by id, print it as JSON and upsert it into the database',
  stop: 'graceful',
  db: {},
  declare: (command) => command.argument('<entity>', `one of: ${ENTITIES.join(', ')}`).argument('<id>', 'the Gong id (digits)'),
  async run(app, [entity, id]) {
    if (!ENTITIES.includes(entity!)) throw new ConfigError(`Cannot get "${entity}": expected one of ${ENTITIES.join(', ')}`);
    if (!/^\d{1,20}$/.test(id!)) throw new ConfigError(`"${id}" is not a Gong id: expected up to 20 digits`);
    const gong = await app.connect();
    const record = await fetchAndStore({
      stream: findStream(entity!)!,
      id: id!,
      client: gong.client,
      database: gong.database,
      settings: { includePrivateCalls: app.config.includePrivateCalls },
    });
    return { exitCode: 0, stdout: JSON.stringify(record, null, 2) };
  },
});
