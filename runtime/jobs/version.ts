/**
 * The version of a stored job, so that at-least-once delivery never lets an older write win.
 * Versions are fixed-width strings that sort like the events they come from: the upload's event
 * time, then the row's line number in the file. DynamoDB compares strings byte-wise, so the
 * conditional write `#v < :v` keeps the newest.
 */
const LINE_WIDTH = 10;

export function jobVersion(eventTime: string | Date, line: number): string {
  const time = typeof eventTime === "string" ? new Date(eventTime) : eventTime;
  if (Number.isNaN(time.getTime())) throw new Error(`jobVersion: '${String(eventTime)}' is not a date`);
  if (!Number.isInteger(line) || line < 0) throw new Error(`jobVersion: line ${line} is not a non-negative integer`);
  return `${time.toISOString()}#${String(line).padStart(LINE_WIDTH, "0")}`;
}
