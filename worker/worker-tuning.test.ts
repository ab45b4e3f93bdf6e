import { DEFAULT_MAX_CONCURRENT_ACTIVITIES, workerTuningFromEnv } from './worker-tuning';

describe('workerTuningFromEnv', () => {
  it('leaves the measured defaults when nothing is set', () => {
    expect(workerTuningFromEnv({})).toEqual({ maxConcurrentActivityTaskExecutions: DEFAULT_MAX_CONCURRENT_ACTIVITIES });
    expect(workerTuningFromEnv({ ADOPTION_WORKER_MAX_CACHED_WORKFLOWS: '  ' })).toEqual({ maxConcurrentActivityTaskExecutions: 20 });
  });

  it('reads both knobs, 0 included for the cache', () => {
    expect(workerTuningFromEnv({ ADOPTION_WORKER_MAX_CACHED_WORKFLOWS: '0', ADOPTION_WORKER_MAX_CONCURRENT_ACTIVITIES: ' 50 ' })).toEqual({
      maxCachedWorkflows: 0,
      maxConcurrentActivityTaskExecutions: 50,
    });
  });

  it.each([
    ['ADOPTION_WORKER_MAX_CACHED_WORKFLOWS', '-1'],
    ['ADOPTION_WORKER_MAX_CACHED_WORKFLOWS', '2.5'],
    ['ADOPTION_WORKER_MAX_CACHED_WORKFLOWS', '1e3'],
    ['ADOPTION_WORKER_MAX_CACHED_WORKFLOWS', '100001'],
    ['ADOPTION_WORKER_MAX_CACHED_WORKFLOWS', '9'.repeat(12)],
    ['ADOPTION_WORKER_MAX_CACHED_WORKFLOWS', '10\u0000'],
    ['ADOPTION_WORKER_MAX_CONCURRENT_ACTIVITIES', '0'],
    ['ADOPTION_WORKER_MAX_CONCURRENT_ACTIVITIES', 'many'],
  ])('refuses %s=%j naming the variable', (variable, value) => {
    expect(() => workerTuningFromEnv({ [variable]: value })).toThrow(new RegExp(`^${variable}: a whole number from \\d+ to [\\d_]+; got "`));
  });

  it('quotes at most 40 characters of a huge value', () => {
    const error = (() => {
      try {
        workerTuningFromEnv({ ADOPTION_WORKER_MAX_CONCURRENT_ACTIVITIES: 'x'.repeat(100_000) });
      } catch (caught) {
        return caught as Error;
      }
      throw new Error('accepted');
    })();
    expect(error.message.length).toBeLessThan(150);
  });
});
