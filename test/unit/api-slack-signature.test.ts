import { slackSignature, verifySlackSignature } from '../../web/slack/signature';

/** Slack's v0 request signing, checked against the example in Slack's own documentation ("Verifying requests"). */
const SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
const TIMESTAMP = '1531420618';
const BODY =
  'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar' +
  '&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN' +
  '&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
const EXPECTED = 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503';
const NOW = Number(TIMESTAMP) + 60;

const check = (overrides: Partial<Parameters<typeof verifySlackSignature>[0]>) =>
  verifySlackSignature({
    signingSecret: SECRET,
    timestamp: TIMESTAMP,
    signature: EXPECTED,
    rawBody: Buffer.from(BODY),
    nowSeconds: NOW,
    ...overrides,
  });

it("computes Slack's documented example signature", () => {
  expect(slackSignature(SECRET, TIMESTAMP, BODY)).toBe(EXPECTED);
  expect(slackSignature(SECRET, TIMESTAMP, Buffer.from(BODY))).toBe(EXPECTED);
});

it('accepts the documented request within five minutes', () => {
  expect(check({})).toEqual({ ok: true });
  expect(check({ nowSeconds: Number(TIMESTAMP) + 300 })).toEqual({ ok: true });
  expect(check({ nowSeconds: Number(TIMESTAMP) - 300 })).toEqual({ ok: true });
});

it('refuses a changed body, another secret, a changed signature and missing headers', () => {
  expect(check({ rawBody: Buffer.from(BODY.replace('roadrunner', 'coyote')) })).toEqual({
    ok: false,
    reason: 'X-Slack-Signature does not match the request body',
  });
  expect(check({ signingSecret: 'another-secret' })).toEqual({ ok: false, reason: 'X-Slack-Signature does not match the request body' });
  expect(check({ signature: EXPECTED.replace(/.$/, '4') })).toMatchObject({ ok: false });
  expect(check({ signature: undefined })).toEqual({ ok: false, reason: 'missing or malformed X-Slack-Signature' });
  expect(check({ signature: 'v1=abc' })).toEqual({ ok: false, reason: 'missing or malformed X-Slack-Signature' });
  expect(check({ timestamp: undefined })).toEqual({ ok: false, reason: 'missing or malformed X-Slack-Request-Timestamp' });
});

it('refuses requests older (or newer) than five minutes, even correctly signed ones', () => {
  const reason = 'X-Slack-Request-Timestamp is more than 5 minutes away from now (replayed request?)';
  expect(check({ nowSeconds: Number(TIMESTAMP) + 301 })).toEqual({ ok: false, reason });
  expect(check({ nowSeconds: Number(TIMESTAMP) - 301 })).toEqual({ ok: false, reason });
});
