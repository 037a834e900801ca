import { formatMessagesSync, type Message } from "esbuild";

/**
 * esbuild's own messages for a build that failed (file:line:column, the line, a caret), as the
 * `esbuild` command prints them; undefined for any other error.
 */
export function buildErrorText(error: unknown): string | undefined {
  const errors = (error as { errors?: Message[] } | undefined)?.errors;
  if (!Array.isArray(errors) || errors.length === 0 || !errors.every((message) => typeof message?.text === "string")) return undefined;
  return formatMessagesSync(errors, { kind: "error", color: false }).join("").trimEnd();
}
