import { codeHashOf, type FunctionSpec } from "../../model/function-spec";
import type { RecordedResource } from "../../model/recorded";

/** One object for every function without linked files, so that its code's hash is taken once. */
const NO_LINKS: Record<string, string> = Object.freeze({});
const NO_FILES: Record<string, string> = Object.freeze({});

/** The runnable description of a recorded function. */
export function functionSpecOf(resource: RecordedResource): FunctionSpec {
  const inputs = resource.inputs as {
    code?: { files?: Record<string, string>; links?: Record<string, string> };
    handler?: string;
    runtime?: string;
    timeout?: number;
    memorySize?: number;
    reservedConcurrentExecutions?: number;
    environment?: { variables?: Record<string, string> };
    loggingConfig?: { logGroup?: string; logFormat?: string; applicationLogLevel?: string; systemLogLevel?: string };
  };
  const files = inputs.code?.files ?? NO_FILES;
  const links = inputs.code?.links ?? NO_LINKS;
  if (Object.keys(files).length + Object.keys(links).length === 0) {
    throw new Error(
      `function ${resource.name}: its code is not an archive of files the sandbox can run (use an AssetArchive of StringAssets or FileAssets)`,
    );
  }
  const codeHash = codeHashOf(files, links);
  return {
    name: String(resource.state.name),
    logicalName: resource.name,
    arn: String(resource.state.arn),
    handler: inputs.handler ?? "index.handler",
    runtime: inputs.runtime ?? "nodejs24.x",
    files,
    links,
    codeHash,
    environment: Object.fromEntries(Object.entries(inputs.environment?.variables ?? {}).map(([key, value]) => [key, String(value)])),
    // Lambda's own defaults when a program leaves them out.
    timeoutSeconds: inputs.timeout ?? 3,
    memorySizeMb: inputs.memorySize ?? 128,
    logGroupName: inputs.loggingConfig?.logGroup || undefined,
    ...(inputs.loggingConfig?.logFormat === "JSON"
      ? {
          logFormat: "JSON" as const,
          applicationLogLevel: inputs.loggingConfig.applicationLogLevel ?? "INFO",
          systemLogLevel: inputs.loggingConfig.systemLogLevel ?? "INFO",
        }
      : {}),
    reservedConcurrency:
      inputs.reservedConcurrentExecutions !== undefined && inputs.reservedConcurrentExecutions >= 0
        ? inputs.reservedConcurrentExecutions
        : undefined,
  };
}
