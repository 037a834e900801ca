/* global process */
// Entry of a deployer process. Pulumi's packages (hundreds of files) load first, resolved from the
// program's directory (the process's cwd), so the program and the mocks share one @pulumi/pulumi.
import { createRequire } from "node:module";
import { join } from "node:path";
import { keepCompiledCode, loadOwnBundle } from "../shared/own-bundle.mjs";

keepCompiledCode();

const fromProgram = createRequire(join(process.cwd(), "package.json"));
for (const name of ["@pulumi/pulumi", "@pulumi/aws"]) {
  try {
    fromProgram(name);
  } catch {
    // A program without this package: the runner reports what is missing when it needs it.
  }
}
const fromSandbox = createRequire(import.meta.url);
for (const name of ["@aws-sdk/client-dynamodb", "@aws-sdk/client-s3", "@aws-sdk/client-sqs", "esbuild", "typescript"]) fromSandbox(name);

// The runner and what it requires come from the sandbox's own cached bundle: no TypeScript loader
// is registered, so the program's own files are compiled as the Pulumi CLI compiles them.
await loadOwnBundle("deployer");
