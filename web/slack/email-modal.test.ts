import { viewErrors } from './email-modal';

describe('viewErrors', () => {
  it("cuts a long message to Slack's 150 between graphemes, on either parity", () => {
    for (const pad of ['', 'a']) {
      const message = viewErrors('subject', `${pad}${'😀'.repeat(100)}`).errors.subject;
      expect(message.length).toBeLessThanOrEqual(150);
      expect(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/.test(message)).toBe(false);
      expect(message.endsWith('😀…')).toBe(true);
    }
  });
});
