import { rankResources, resourceLevel, upcomingSession } from './resources';
import type { TrainingResource } from './run-facts';

const NOW = new Date('2026-06-01T12:00:00Z');
const video: TrainingResource = { type: 'video', title: 'Overview', url: 'https://t.example/video', duration_minutes: 12, level: 'beginner' };
const guide: TrainingResource = { type: 'documentation', title: 'Quick Start Guide', url: 'https://t.example/guide' };
const advanced: TrainingResource = { type: 'video', title: 'Power user tricks', url: 'https://t.example/advanced', level: 'advanced' };
const live: TrainingResource = {
  type: 'webinar',
  title: 'Live: deep dive',
  url: 'https://t.example/live',
  next_session: '2026-05-01T14:00:00Z',
  sessions: ['2026-05-15T14:00:00Z', '2026-07-01T14:00:00Z', '2026-06-10T14:00:00Z'],
};
const pastLive: TrainingResource = { type: 'webinar', title: 'Old live', url: 'https://t.example/old', next_session: '2026-02-15T14:00:00Z' };
const urls = (list: TrainingResource[]) => list.map((resource) => resource.url);

describe('FR-3.1 recommendation ranking', () => {
  it('offers beginner material first for Not Started and Started, advanced and live for Engaged', () => {
    const all = [advanced, live, guide, video];
    expect(urls(rankResources(all, { stage: 'not_started' }, new Set(), NOW))).toEqual([video.url, guide.url, advanced.url, live.url]);
    expect(urls(rankResources(all, { stage: 'started' }, new Set(), NOW))).toEqual([guide.url, video.url, advanced.url, live.url]);
    expect(urls(rankResources(all, { stage: 'engaged' }, new Set(), NOW))).toEqual([live.url, advanced.url, guide.url, video.url]);
  });

  it('skips what the customer already received, clicked or completed', () => {
    expect(urls(rankResources([video, guide, advanced], { stage: 'started' }, new Set([guide.url, video.url]), NOW))).toEqual([advanced.url]);
  });

  it('shows a live session only when one is in the future, as its next future date; a past next_session never shows', () => {
    const [shown] = rankResources([live], { stage: 'engaged' }, new Set(), NOW);
    expect(shown.next_session).toBe('2026-06-10T14:00:00.000Z');
    expect(shown.sessions).toBeUndefined();
    expect(rankResources([pastLive], { stage: 'engaged' }, new Set(), NOW)).toEqual([]);
    const onDemand: TrainingResource = { type: 'webinar', title: 'Recorded', url: 'https://t.example/rec' };
    expect(rankResources([onDemand], { stage: 'engaged' }, new Set(), NOW)).toEqual([onDemand]);
    // A dated non-live resource keeps its place but loses the stale date.
    const [doc] = rankResources([{ ...guide, next_session: '2020-01-01T00:00:00Z' }], { stage: 'started' }, new Set(), NOW);
    expect(doc.next_session).toBeUndefined();
  });

  it('favours short resources when the stall is past the expected timeline', () => {
    const long: TrainingResource = { type: 'video', title: 'Full course', url: 'https://t.example/long', duration_minutes: 90, level: 'beginner' };
    expect(urls(rankResources([long, video], { stage: 'not_started', rule: 'past_expected_timeline' }, new Set(), NOW))).toEqual([
      video.url,
      long.url,
    ]);
    expect(urls(rankResources([long, video], { stage: 'not_started', rule: 'low_usage_14d' }, new Set(), NOW))).toEqual([long.url, video.url]);
  });

  it('reads levels from the catalog, else the title, and ignores dates that are not instants', () => {
    expect(resourceLevel(video)).toBe('beginner');
    expect(resourceLevel(guide)).toBe('beginner');
    expect(resourceLevel({ type: 'video', title: 'Advanced reporting', url: 'https://x' })).toBe('advanced');
    expect(resourceLevel({ type: 'video', title: 'Reporting', url: 'https://x' })).toBeNull();
    expect(upcomingSession({ ...live, next_session: 'soon', sessions: ['2026-13-45T99:00:00Z', 'x'.repeat(10_000)] }, NOW)).toBeNull();
  });
});
