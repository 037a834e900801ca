/* global process, URL */
// Plain JavaScript, so that `npm start` forks a deployer before it loads any of the sandbox's own
// code (see cli/start.mjs); the sandbox forks the ones after it the same way (deployer.ts).
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";

const deployerEntry = fileURLToPath(new URL("./boot.mjs", import.meta.url));

/**
 * A deployer process for the program in `programDir` (its working directory, as a project
 * directory is the Pulumi CLI's). Its channel uses V8's serialization: a deployment carries
 * megabytes of bundled code, which JSON took about 0.2 s more to carry.
 */
export function forkDeployer(programDir) {
  const child = fork(deployerEntry, [], {
    cwd: programDir,
    execArgv: [],
    env: {
      ...process.env,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ?? "true",
    },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
    serialization: "advanced",
  });
  child.on("error", () => undefined);
  return child;
}
