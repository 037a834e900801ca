import type { IncomingMessage, ServerResponse } from "node:http";
import type { LocalSchedules } from "./schedules";

const firePath = /^\/_sandbox\/rules\/([^/]+)\/fire$/;

/** `POST /_sandbox/rules/<rule>/fire`: the rule's event to its targets now (`npm run fire`). */
export function fireRoute(request: IncomingMessage, response: ServerResponse, schedules: LocalSchedules): boolean {
  const match = firePath.exec(new URL(request.url ?? "/", "http://sandbox").pathname);
  if (!match || request.method !== "POST") return false;
  const name = decodeURIComponent(match[1]);
  const rule = schedules.ruleNamed(name);
  const [status, body] = rule
    ? [200, { rule: rule.name, schedule: rule.schedule.expression, targets: schedules.fire(rule) }]
    : [
        404,
        {
          message: `no schedule rule '${name}'; the program's rules: ${
            schedules.rules
              .map((candidate) => candidate.logicalName)
              .sort()
              .join(", ") || "(none)"
          }`,
        },
      ];
  const text = JSON.stringify(body);
  response.writeHead(status, { "content-type": "application/json", "content-length": String(Buffer.byteLength(text)) });
  response.end(text);
  return true;
}
