import { customerSummary, formatDate, formatMoney, idWords, importanceLabel, stageLabel } from './labels';
import { stageLabel as slackStageLabel } from '../../steps/slack_dm/messages/format';

describe('labels', () => {
  it('names the stages, and an unknown one from its id, as plain text each surface escapes for itself', () => {
    expect(['not_started', 'started', 'engaged', 'adopted', 'churned'].map(stageLabel)).toEqual([
      'Not Started',
      'Started',
      'Engaged',
      'Adopted',
      'Churned',
    ]);
    // Plain here (a page HTML-escapes it once); mrkdwn-escaped only in Slack. Before, pages showed "&amp;lt;".
    expect(stageLabel('on_hold_<b>&')).toBe('On hold <b>&');
    expect(slackStageLabel('on_hold_<b>&')).toBe('On hold &lt;b&gt;&amp;');
  });

  it('formats money, dates in UTC and importance as the PRD shows them', () => {
    expect(formatMoney(240000.4)).toBe('$240,000');
    expect(formatDate('2026-02-15T23:30:00-05:00')).toBe('Feb 16, 2026');
    expect(formatDate('soon')).toBeNull();
    expect([70, 69, 40, 39].map(importanceLabel)).toEqual(['High', 'Medium', 'Medium', 'Low']);
  });
});

describe('idWords and customerSummary', () => {
  it('shows ids as words and the customer line the pages put under a name', () => {
    expect(idWords('mid_market')).toBe('mid market');
    expect(idWords('already_sent_twice')).toBe('already sent twice');
    expect(customerSummary({ arr: 240000, segment: 'mid_market', csmName: 'Dana Reyes' })).toBe('ARR $240,000 · mid market · CSM Dana Reyes');
    expect(customerSummary({ arr: 0, segment: 'smb', csmName: null })).toBe('ARR $0 · smb · CSM unassigned');
  });
});
