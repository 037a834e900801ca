/* global process */
// Entry of a deployer process. Pulumi's packages (hundreds of files) load before tsx is
// registered: tsx's hooks would more than double their load time. Resolved from the program's
// directory (the process's cwd), so the program and the mocks share one @pulumi/pulumi.
import { createRequire } from "node:module";
import { join } from "node:path";

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

// The runner is TypeScript: tsx compiles it and what it requires, scoped to them (a namespace),
// so that the program's own files are compiled as the Pulumi CLI compiles them, never by tsx.
const sandboxLoader = fromSandbox("tsx/cjs/api").register({ namespace: "job-offers-sandbox" });
sandboxLoader.require("./runner.ts", import.meta.url);
