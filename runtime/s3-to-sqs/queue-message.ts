import type { JobMessage } from "../jobs/message";

/**
 * Characters escaped in a message body: SQS refuses U+FFFE and U+FFFF, which are valid UTF-8 that a
 * CSV cell can carry, so they travel as JSON escapes; JSON.parse restores them.
 */
const ESCAPED = /[\uFFFE\uFFFF]/g;

/** The queue message body of one job. */
export function encodeJobMessage(message: JobMessage): string {
  return JSON.stringify(message).replace(ESCAPED, (char) => `\\u${char.charCodeAt(0).toString(16)}`);
}
