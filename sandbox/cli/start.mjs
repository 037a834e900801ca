/* global process */
// `npm start`, in plain JavaScript so that nothing waits for a compiler before the deployer
// process (Node, Pulumi: the longest part of a start) is forked; then the sandbox's own code loads
// from its cached bundle.
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { forkDeployer } from "../program/fork-deployer.mjs";
import { keepCompiledCode, loadOwnBundle } from "../shared/own-bundle.mjs";

keepCompiledCode();

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
const help = process.argv.includes("--help") || process.argv.includes("-h");

// The program's directory (`--program <dir>`, else here) is the deployer's working directory, as
// a project directory is the Pulumi CLI's. Read here, before the flags are parsed in full, so the
// deployer starts at once; run.ts checks the flag again with the others.
const programFlag = process.argv.findIndex((arg) => arg === "--program" || arg.startsWith("--program="));
const programArg = programFlag === -1 ? undefined : (process.argv[programFlag].split("=")[1] ?? process.argv[programFlag + 1]);
const programDir = resolve(programArg ?? process.cwd());

// A start that will likely replay the recorded deployment (program/replay.ts keeps it) leaves
// the CPU to that; the sandbox starts the deployer itself, for the run that confirms it.
const stateDir = resolve(process.env.SANDBOX_STATE_DIR ?? join(programDir, ".sandbox"));
const mayReplay = !process.argv.includes("--fresh") && existsSync(join(stateDir, "deployment.key.json"));

const child = help || mayReplay || !existsSync(programDir) ? undefined : forkDeployer(programDir);
// However this process ends (a mistyped flag exits before any deployment), the deployer goes with it.
process.on("exit", () => child?.kill());

// fauxqs ships a source map beside each of its files: loaded before the bundle turns source maps
// on (for the sandbox's own stack traces), Node never reads them.
await import("fauxqs");
const { Deployer, run } = await loadOwnBundle("start");
await run(child ? new Deployer(programDir, child) : undefined);
