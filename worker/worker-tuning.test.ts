import { DEFAULT_MAX_CACHED_WORKFLOWS, DEFAULT_MAX_CONCURRENT_ACTIVITIES, workerTuningFromEnv } from './worker-tuning';

describe('workerTuningFromEnv', () => {
  it('leaves the measured defaults when nothing is set', () => {
    const defaults = { maxCachedWorkflows: DEFAULT_MAX_CACHED_WORKFLOWS, maxConcurrentActivityTaskExecutions: DEFAULT_MAX_CONCURRENT_ACTIVITIES };
    expect(workerTuningFromEnv({})).toEqual(defaults);
    expect(workerTuningFromEnv({ ADOPTION_WORKER_MAX_CACHED_WORKFLOWS: '  ' })).toEqual(defaults);
  });

  it('keeps the default cache at least the SDK workflow-task slots (40), so the SDK does not lower them', () => {
    expect(DEFAULT_MAX_CACHED_WORKFLOWS).toBeGreaterThanOrEqual(40);
  });

  it('sets a larger cache than the default when asked (an operator with memory to spare)', () => {
    expect(workerTuningFromEnv({ ADOPTION_WORKER_MAX_CACHED_WORKFLOWS: '2000' }).maxCachedWorkflows).toBe(2000);
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
