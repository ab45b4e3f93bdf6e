import { createSignalQueue } from './signal-queue';

/** A handler whose calls stay open until the test releases them, recording what ran and how many at once. */
function gatedHandler() {
  const started: string[] = [];
  const gates = new Map<string, () => void>();
  let running = 0;
  let mostAtOnce = 0;
  const handle = (signalId: string) =>
    new Promise<void>((resolve) => {
      started.push(signalId);
      running += 1;
      mostAtOnce = Math.max(mostAtOnce, running);
      gates.set(signalId, () => {
        running -= 1;
        resolve();
      });
    });
  const release = (signalId: string) => gates.get(signalId)!();
  return { handle, release, started, mostAtOnce: () => mostAtOnce };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

it('starts signals in arrival order, never more than its concurrency at once, and the next as soon as one ends', async () => {
  const handler = gatedHandler();
  const queue = createSignalQueue(2, handler.handle);
  const handled = ['a', 'b', 'c', 'd', 'e'].map((id) => queue.enqueue(id));
  await turn();
  expect(handler.started).toEqual(['a', 'b']);
  handler.release('b');
  await turn();
  expect(handler.started).toEqual(['a', 'b', 'c']);
  for (const id of ['a', 'c', 'd', 'e']) {
    await turn();
    handler.release(id);
  }
  await Promise.all(handled);
  expect(handler.started).toEqual(['a', 'b', 'c', 'd', 'e']);
  expect(handler.mostAtOnce()).toBe(2);
});

it('does not queue a signal twice while it waits or is being started, but does once it has been handled', async () => {
  const handler = gatedHandler();
  const queue = createSignalQueue(1, handler.handle);
  const first = queue.enqueue('a');
  const waitingTwice = [queue.enqueue('b'), queue.enqueue('b')];
  expect(queue.enqueue('a')).toBe(first);
  expect(waitingTwice[0]).toBe(waitingTwice[1]);
  await turn();
  handler.release('a');
  await first;
  await turn();
  handler.release('b');
  await Promise.all(waitingTwice);
  expect(handler.started).toEqual(['a', 'b']);
  const again = queue.enqueue('a');
  await turn();
  handler.release('a');
  await again;
  expect(handler.started).toEqual(['a', 'b', 'a']);
});

it('drained waits for signals queued while it waited, and a failing handler does not stop the queue', async () => {
  const seen: string[] = [];
  const queue = createSignalQueue(3, async (signalId) => {
    seen.push(signalId);
    await turn();
    if (signalId === 'bad') throw new Error('Temporal unreachable');
    if (signalId === 'a') void queue.enqueue('late');
  });
  void queue.enqueue('a');
  void queue.enqueue('bad');
  void queue.enqueue('b');
  await queue.drained();
  expect(seen.sort()).toEqual(['a', 'b', 'bad', 'late']);
});

it('refuses a concurrency that is not a whole number of at least one', () => {
  expect(() => createSignalQueue(0, async () => undefined)).toThrow(/>= 1, got 0/);
  expect(() => createSignalQueue(1.5, async () => undefined)).toThrow(RangeError);
});
