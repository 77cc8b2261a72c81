import { describe, expect, it } from 'vitest';
import { freshPostgresDatabase, postgresAdminUrl } from './helpers/postgres-shared.js';
import { adminQuery } from './helpers/postgres-server.js';
import pg from 'pg';
import { connectDatabase, migrateToLatest } from '../src/db/database.js';
import { DatabaseFileError } from '../src/errors.js';

/** The README's first steps on PostgreSQL, as a newcomer takes them. */
describe('PostgreSQL for a newcomer', () => {
  it('a role that may not create the schema is told what to grant; once granted, the schema and tables are created; other roles see plain names after alter role ... set search_path', async () => {
    const url = await freshPostgresDatabase('newcomer');
    const database = new URL(url).pathname.slice(1);
    const role = `gs_${database}`.slice(0, 60);
    await adminQuery(postgresAdminUrl(), `create role ${role} login password 'secret-pw'`);
    // PostgreSQL 15 grants nobody CREATE on a new database but its owner.
    await adminQuery(url, `revoke create on database ${database} from public`);
    const asRole = new URL(url);
    asRole.username = role;
    asRole.password = 'secret-pw';

    const refused = connectDatabase(asRole.toString());
    await expect(refused).rejects.toBeInstanceOf(DatabaseFileError);
    await expect(refused).rejects.toThrow(/createdb -O ROLE NAME.*grant create on database NAME to ROLE/);

    await adminQuery(url, `grant create on database ${database} to ${role}`);
    const opened = await connectDatabase(asRole.toString());
    await migrateToLatest(opened);
    await opened.close();

    // A session that gong-sync did not open (a BI tool's) sees gong.calls, and plain calls once the
    // role's search path names the schema: gong-sync never changes a role's settings itself.
    const plainCount = async () => {
      const client = new pg.Client({ connectionString: asRole.toString() });
      await client.connect();
      try {
        return (await client.query('select count(*)::int as n from calls')).rows;
      } finally {
        await client.end();
      }
    };
    await expect(plainCount()).rejects.toThrow(/relation "calls" does not exist/);
    await adminQuery(url, `alter role ${role} set search_path = gong, public`);
    expect(await plainCount()).toEqual([{ n: 0 }]);
  });
});
