// The SDK's Node 20 end-of-support notice says nothing about the sandbox: keep the console for it.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

import { Deployer } from "../deploy/deployer";

/**
 * `npm start`. The deployer process (Node, tsx, Pulumi: the longest part of a start) is forked
 * before anything else is loaded, so its start-up overlaps the sandbox's own.
 */
const help = process.argv.includes("--help") || process.argv.includes("-h");
const deployer = help ? undefined : new Deployer(process.cwd());
deployer?.prepare();
void import("./run").then(({ run }) => run(deployer));
