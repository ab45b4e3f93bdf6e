import fs from 'node:fs';
import path from 'node:path';
import * as messages from '../../workflows/messages';
import { SIGNAL_NAMES } from '../../steps/signals';

/** The signals are named once, in workflows/messages.ts; the steps' waits and the run's handlers are linked to them. */
const defined = (Object.entries(messages) as Array<[string, unknown]>).filter(
  (entry): entry is [string, { type: 'signal'; name: string }] =>
    typeof entry[1] === 'object' && entry[1] !== null && (entry[1] as { type?: unknown }).type === 'signal',
);

it('every signal a step can wait on is a signal the run defines', () => {
  const names = defined.map(([, signal]) => signal.name);
  expect(SIGNAL_NAMES.filter((name) => !names.includes(name))).toEqual([]);
});

it('the enablement run sets a handler for every signal it defines', () => {
  const source = fs.readFileSync(path.join(__dirname, '..', '..', 'workflows', 'enablement.ts'), 'utf8');
  expect(defined.length).toBeGreaterThan(0);
  expect(defined.map(([exported]) => exported).filter((exported) => !source.includes(`setHandler(${exported},`))).toEqual([]);
});
