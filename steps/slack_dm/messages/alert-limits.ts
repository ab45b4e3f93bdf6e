import { shortenSlackText } from '../../../channels/slack-text';
import { section, type SlackBlock } from './format';

/** Slack's documented limits of what the alert sends (Block Kit reference, chat.postMessage). */
export const SLACK_LIMITS = {
  sectionText: 3000,
  headerText: 150,
  buttonText: 75,
  fallbackText: 4000,
  blocks: 50,
} as const;

const joinedLength = (lines: string[]) => (lines.length ? lines.join('\n').length : 0);

/**
 * One section holding `head` and `tail` whole and as many `flexible` lines between them as fit in 3,000, then how
 * many were left out: a long list gives way, the lines around it (a Priority, a link) never do.
 */
export function sectionKeeping(head: string[], flexible: string[], tail: string[]): SlackBlock {
  const room = SLACK_LIMITS.sectionText - joinedLength(head) - joinedLength(tail) - (head.length ? 1 : 0) - (tail.length ? 1 : 0);
  const kept: string[] = [];
  for (const [index, line] of flexible.entries()) {
    const left = flexible.length - index - 1;
    const more = left ? `\n…and ${left} more` : '';
    if (joinedLength([...kept, line]) + more.length <= room) {
      kept.push(line);
      continue;
    }
    if (kept.length === 0) {
      // Not even the first fits: it is cut (marked) rather than left out.
      kept.push(shortenSlackText(line, Math.max(1, room - more.length)));
      if (left) kept.push(more.slice(1));
    } else {
      const moreText = `…and ${flexible.length - index} more`;
      if (joinedLength([...kept, moreText]) <= room) kept.push(moreText);
    }
    break;
  }
  return section([...head, ...kept, ...tail].join('\n'));
}

/** `lines` in as many sections as they need (each at most 3,000, `title` on the first); none for no lines. */
export function packSections(title: string, lines: string[]): SlackBlock[] {
  if (!lines.length) return [];
  const sections: string[][] = [[title]];
  for (const line of lines) {
    const current = sections[sections.length - 1];
    const fitted = shortenSlackText(line, SLACK_LIMITS.sectionText);
    if (joinedLength([...current, fitted]) <= SLACK_LIMITS.sectionText) current.push(fitted);
    else sections.push([fitted]);
  }
  return sections.map((lines) => section(lines.join('\n')));
}

/**
 * The plain-text fallback within 4,000: `compose(shown)` with as many of `total` features in full as fit; when even
 * none fits, the text is cut and its last line (the buttons) kept.
 */
export function fitFallbackText(compose: (shown: number) => string[], total: number): string {
  for (let shown = total; shown >= 0; shown -= 1) {
    const text = compose(shown).join('\n');
    if (text.length <= SLACK_LIMITS.fallbackText) return text;
  }
  const lines = compose(0);
  const last = lines.pop() ?? '';
  return `${shortenSlackText(lines.join('\n'), SLACK_LIMITS.fallbackText - last.length - 1)}\n${last}`;
}
