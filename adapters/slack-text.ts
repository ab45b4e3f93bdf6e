/**
 * Slack's mrkdwn (text and blocks alike) treats &, < and > as control characters: everything we echo from the
 * database or from people goes through this one function, in the alert and in the interactive replies alike.
 */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
