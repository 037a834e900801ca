import type { JobMessage } from "../jobs/message";

/**
 * Characters escaped in a message body. SQS refuses U+FFFE and U+FFFF (valid UTF-8 that a CSV cell
 * can carry). Characters beyond U+FFFF (emoji) are valid for SQS, but fauxqs, the sandbox's queue,
 * refuses them, so they travel as the JSON escapes of their two UTF-16 halves. JSON.parse restores
 * both; the cost is a few bytes per such character.
 */
const ESCAPED = /[\uFFFE\uFFFF\uD800-\uDFFF]/g;

/** The queue message body of one job. */
export function encodeJobMessage(message: JobMessage): string {
  return JSON.stringify(message).replace(ESCAPED, (char) => `\\u${char.charCodeAt(0).toString(16)}`);
}
