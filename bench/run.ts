/**
 * `npm run bench [-- --quick] [-- --json <file>] [-- --keep]`: every speed and memory goal measured
 * side by side with its baseline in this one run, progress on stderr, one table on stdout. It
 * reports and never gates: the exit code is 0 whether goals are met or not (2 for a bad flag).
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { runBench } from "./bench";
import { FULL, QUICK } from "./context";
import { progress, table } from "./report";

const usage = "npm run bench -- [--quick] [--json <file>] [--keep]";

function flags() {
  let values;
  try {
    values = parseArgs({
      options: { quick: { type: "boolean" }, json: { type: "string" }, keep: { type: "boolean" }, help: { type: "boolean", short: "h" } },
      strict: true,
    }).values;
  } catch (error) {
    console.error(`${(error as Error).message}\nusage: ${usage}`);
    process.exit(2);
  }
  if (values.help) {
    console.log(`usage: ${usage}`);
    process.exit(0);
  }
  return values;
}

async function main() {
  const values = flags();
  const work = mkdtempSync(join(tmpdir(), "job-offers-bench-"));
  progress(`${values.quick ? "quick" : "full"} run; generated files and state under ${work}`);
  // Also on Ctrl+C (child.ts ends the servers, then exits): a million-row file is 176 MB.
  if (!values.keep) process.once("exit", () => rmSync(work, { recursive: true, force: true }));
  try {
    const figures = await runBench({ sizes: values.quick ? QUICK : FULL, work });
    progress("done");
    console.log(table(figures));
    const count = (met: string) => figures.filter((figure) => figure.met === met).length;
    console.log(
      `\n${count("yes")} goals met, ${count("no")} missed, ${count("not measured")} not measured, ${count("error")} failed to measure.`,
    );
    if (values.json) writeFileSync(values.json, `${JSON.stringify(figures, null, 2)}\n`);
  } finally {
    if (!values.keep) rmSync(work, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(0);
  },
);
