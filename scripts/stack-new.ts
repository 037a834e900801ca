/** Entry point of `npm run stack:new`; the logic lives in lib/stack-new.ts. */
import { spawnSync } from "node:child_process";
import { createInterface, type Interface } from "node:readline/promises";
import { runStackNew } from "./lib/stack-new";
import { pulumiCliMissing } from "./lib/pulumi-cli";

async function main(): Promise<void> {
  const interactive = Boolean(process.stdin.isTTY && process.stdout.isTTY);
  const prompt = interactive ? createInterface({ input: process.stdin, output: process.stdout }) : undefined;
  try {
    process.exitCode = await runStackNew(process.argv.slice(2), {
      cwd: process.cwd(),
      interactive,
      ask: (question) => (prompt ? answerOf(prompt, question) : Promise.resolve("")),
      out: (text) => console.log(text),
      err: (text) => console.error(text),
      pulumi: (args, { cwd, input }) => {
        const result = spawnSync("pulumi", args, { cwd, input, encoding: "utf8" });
        if (result.error) return { status: 127, output: `could not run pulumi: ${result.error.message} ${pulumiCliMissing}` };
        return { status: result.status ?? 1, output: `${result.stdout ?? ""}${result.stderr ?? ""}` };
      },
    });
  } finally {
    prompt?.close();
  }
}

/** Ctrl+D ends the input: readline then rejects the question (or closes), which is an answer too. */
function answerOf(prompt: Interface, question: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const ended = () => resolve(undefined);
    prompt.once("close", ended);
    prompt.question(question).then(
      (answer) => {
        prompt.off("close", ended);
        resolve(answer);
      },
      () => {
        // The prompt's line is left unfinished: the message that follows starts on its own line.
        process.stdout.write("\n");
        ended();
      },
    );
  });
}

void main();
