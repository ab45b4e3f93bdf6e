import { activityDepsFromEnv, queryDatabaseUrlFromEnv } from '../../worker/deps-from-env';
import type { Db } from '../../db/database';

/**
 * Issue 19: ADOPTION_QUERY_DATABASE_URL is read when the worker builds its activity dependencies (createConfiguredWorker,
 * before Worker.create), so a bad value stops the start, naming the variable, instead of failing the first run.
 */
const store = { kind: 'postgres', location: 'test' } as unknown as Db;

describe('ADOPTION_QUERY_DATABASE_URL', () => {
  it.each([
    ['not a url', /ADOPTION_QUERY_DATABASE_URL is not a valid URL/],
    ['adoption_definition_reader@db/adoption', /ADOPTION_QUERY_DATABASE_URL is not a valid URL/],
    ['http://adoption_definition_reader@db/adoption', /ADOPTION_QUERY_DATABASE_URL must be a postgres:\/\/ or postgresql:\/\/ URL, not http:/],
    ['postgres://db.example/adoption', /ADOPTION_QUERY_DATABASE_URL names no user/],
  ])('refuses %j when the worker builds its dependencies', (value, message) => {
    expect(() => activityDepsFromEnv(store, undefined, { ADOPTION_QUERY_DATABASE_URL: value })).toThrow(message);
  });

  it('never echoes the value, which may hold a password', () => {
    expect(() => queryDatabaseUrlFromEnv({ ADOPTION_QUERY_DATABASE_URL: 'secret-password-here' })).toThrow(/^((?!secret-password-here).)*$/);
  });

  it('opens a connection of its own for a valid URL, and none when unset', async () => {
    const deps = activityDepsFromEnv(store, undefined, {
      ADOPTION_QUERY_DATABASE_URL: 'postgresql://adoption_definition_reader@127.0.0.1:1/adoption',
    });
    expect(deps.queryDatabase?.location).toBe('postgres://127.0.0.1:1/adoption');
    await deps.queryDatabase?.close();
    expect(activityDepsFromEnv(store, undefined, {}).queryDatabase).toBeUndefined();
    expect(activityDepsFromEnv(store, undefined, { ADOPTION_QUERY_DATABASE_URL: '' }).queryDatabase).toBeUndefined();
  });
});
