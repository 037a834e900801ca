import { sandboxCredentials, sandboxRegion } from "../../shared/constants";
import type { FunctionSpec } from "../../model/function-spec";

/**
 * The environment of one execution environment's process: what Lambda sets, the function's declared
 * variables (NODE_OPTIONS among them, which Node reads as Lambda's does), and the sandbox endpoint so
 * the SDK calls reach the emulators. Nothing leaks from the sandbox's own environment except what a
 * process needs to run (PATH, TZ of Lambda), so a handler that works here does not depend on the
 * developer's shell. `tmpDir` is this environment's own /tmp.
 */
export function runtimeEnvironment(spec: FunctionSpec, awsEndpoint: string, codeDir: string, tmpDir: string): Record<string, string> {
  const logGroupName = spec.logGroupName ?? `/aws/lambda/${spec.name}`;
  return {
    PATH: process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin",
    TZ: ":UTC",
    LANG: "en_US.UTF-8",
    LAMBDA_TASK_ROOT: codeDir,
    LAMBDA_RUNTIME_DIR: codeDir,
    AWS_EXECUTION_ENV: `AWS_Lambda_${spec.runtime}`,
    _HANDLER: spec.handler,
    AWS_LAMBDA_FUNCTION_NAME: spec.name,
    AWS_LAMBDA_FUNCTION_VERSION: "$LATEST",
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(spec.memorySizeMb),
    AWS_LAMBDA_LOG_GROUP_NAME: logGroupName,
    AWS_LAMBDA_LOG_STREAM_NAME: logStreamName(),
    AWS_LAMBDA_INITIALIZATION_TYPE: "on-demand",
    ...(spec.logFormat ? { AWS_LAMBDA_LOG_FORMAT: spec.logFormat } : {}),
    // os.tmpdir() reads these: each environment has its own, as each Lambda environment has its /tmp.
    TMPDIR: tmpDir,
    TMP: tmpDir,
    TEMP: tmpDir,
    AWS_REGION: sandboxRegion,
    AWS_DEFAULT_REGION: sandboxRegion,
    AWS_ACCESS_KEY_ID: sandboxCredentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: sandboxCredentials.secretAccessKey,
    AWS_SESSION_TOKEN: "sandbox",
    AWS_ENDPOINT_URL: awsEndpoint,
    // The SDK's end-of-support notice for an old Node would repeat in every environment.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    NODE_OPTIONS: "",
    ...spec.environment,
  };
}

export function logStreamName(): string {
  const day = new Date().toISOString().slice(0, 10).replace(/-/g, "/");
  return `${day}/[$LATEST]${crypto.randomUUID().replace(/-/g, "")}`;
}
