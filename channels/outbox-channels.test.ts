import fs from 'node:fs';
import path from 'node:path';
import { CHANNEL_SENDERS, configuredChannels } from './delivery-channels';
import { OUTBOX_CHANNELS } from './outbox';

const MIGRATIONS = path.resolve(__dirname, '..', 'db', 'migrations');

/** The channels the outbox table accepts, as the last migration that sets its CHECK constraint lists them. */
function checkedChannels(): string[] {
  const lists = fs
    .readdirSync(MIGRATIONS)
    .filter((file) => file.endsWith('.sql'))
    .sort()
    .flatMap((file) => [...fs.readFileSync(path.join(MIGRATIONS, file), 'utf8').matchAll(/CHECK\s*\(\s*channel\s+IN\s*\(([^)]*)\)\s*\)/gi)])
    .map((match) => [...match[1].matchAll(/'([^']+)'/g)].map((value) => value[1]));
  expect(lists.length).toBeGreaterThan(0);
  return lists[lists.length - 1];
}

it("the outbox's CHECK constraint accepts exactly the channels in OUTBOX_CHANNELS", () => {
  expect([...checkedChannels()].sort()).toEqual([...OUTBOX_CHANNELS].sort());
});

it('every channel has a sender, and configuredChannels names only those set', () => {
  expect(Object.keys(CHANNEL_SENDERS).sort()).toEqual([...OUTBOX_CHANNELS].sort());
  expect(configuredChannels({})).toEqual([]);
  expect(configuredChannels({ slack: { token: 'xoxb' }, email: { smtpUrl: 'smtp://x', from: 'a@b' }, inApp: { webhookUrl: 'http://x' } })).toEqual([
    'slack',
    'email',
  ]);
  expect(configuredChannels({ inApp: { webhookUrl: 'http://x', secret: 's' } })).toEqual(['in_app']);
});
