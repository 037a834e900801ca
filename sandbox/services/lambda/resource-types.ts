import { createHash } from "node:crypto";
import { stableUuid } from "../../model/physical-names";
import type { ResourceTypeSupport } from "../../model/resource-type";
import { refusedRuntimeMessage } from "./node-runtimes";
import { functionSpecOf } from "./spec-of";

/** Code the sandbox cannot run, said as what the program declared (else the start fails later on a missing archive). */
function codeNotRunMessage(inputs: Record<string, unknown>): string | undefined {
  if (inputs.packageType === "Image" || inputs.imageUri) {
    return `its code is a container image (packageType: Image, imageUri ${String(inputs.imageUri ?? "unset")}), which the sandbox does not run: it runs Node.js functions from a code archive`;
  }
  if (inputs.s3Bucket) {
    return `its code is an object in S3 (s3Bucket ${String(inputs.s3Bucket)}, s3Key ${String(inputs.s3Key ?? "unset")}), which the sandbox does not fetch: it runs Node.js functions from a code archive (code)`;
  }
  return undefined;
}

export const lambdaResourceTypes: ResourceTypeSupport[] = [
  {
    type: "aws:lambda/function:Function",
    coverage: "emulated",
    // packageType Zip is the code archive; Image (and s3Bucket code) is refused above.
    honoured: [
      "code",
      "packageType",
      "handler",
      "runtime",
      "timeout",
      "memorySize",
      "environment",
      "reservedConcurrentExecutions",
      "loggingConfig",
    ],
    noLocalEffect: ["role", "publish", "sourceCodeHash", "kmsKeyArn", "tracingConfig", "codeSigningConfigArn", "skipDestroy"],
    meaning: {
      architectures: "runs on this machine's processor, whatever the architecture",
      layers: "layers are not added: code that needs a layer's files fails locally",
      vpcConfig: "no VPC: the function reaches the sandbox's endpoints directly",
      deadLetterConfig: "failed asynchronous events go to the on-failure destination only, not to this DLQ",
      ephemeralStorage: "/tmp is the machine's, without this size limit",
      fileSystemConfigs: "no EFS mount locally",
      snapStart: "no SnapStart locally",
    },
    refusal: (inputs) =>
      codeNotRunMessage(inputs) ?? (typeof inputs.runtime === "string" ? refusedRuntimeMessage(inputs.runtime) : undefined),
    state: ({ physical, inputs, arn, region }) => {
      const functionArn = arn("lambda", `function:${physical}`);
      return {
        id: physical,
        state: {
          name: physical,
          arn: functionArn,
          qualifiedArn: `${functionArn}:$LATEST`,
          invokeArn: `arn:aws:apigateway:${region}:lambda:path/2015-03-31/functions/${functionArn}/invocations`,
          version: "$LATEST",
          sourceCodeHash: createHash("sha256")
            .update(JSON.stringify(inputs.code ?? ""))
            .digest("base64"),
          lastModified: new Date().toISOString(),
        },
      };
    },
    describe: (fn) => {
      const spec = functionSpecOf(fn);
      return `function  ${spec.name}  (${spec.logicalName}; ${spec.runtime}, ${spec.memorySizeMb} MB, ${spec.timeoutSeconds} s)`;
    },
  },
  {
    type: "aws:lambda/eventSourceMapping:EventSourceMapping",
    coverage: "emulated",
    honoured: [
      "eventSourceArn",
      "functionName",
      "batchSize",
      "maximumBatchingWindowInSeconds",
      "functionResponseTypes",
      "scalingConfig",
      "enabled",
      "startingPosition",
      "bisectBatchOnFunctionError",
      "maximumRetryAttempts",
      "maximumRecordAgeInSeconds",
      "destinationConfig",
    ],
    meaning: {
      filterCriteria: "every message or stream record is delivered",
      parallelizationFactor: "one batch at a time per stream (a local stream has one shard)",
      tumblingWindowInSeconds: "no tumbling windows: each batch is invoked without state",
      startingPositionTimestamp: "streams start at TRIM_HORIZON or LATEST only",
    },
    state: ({ stack, name, inputs, arn }) => {
      // What a replacement would change (its source, its function) gives another id, as on AWS.
      const uuid = stableUuid(
        stack,
        "aws:lambda/eventSourceMapping:EventSourceMapping",
        name,
        String(inputs.eventSourceArn),
        String(inputs.functionName),
      );
      return {
        id: uuid,
        state: { uuid, functionArn: inputs.functionName, state: "Enabled", arn: arn("lambda", `event-source-mapping:${uuid}`) },
      };
    },
  },
  {
    type: "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig",
    coverage: "emulated",
    honoured: ["functionName", "maximumRetryAttempts", "maximumEventAgeInSeconds", "destinationConfig"],
    meaning: { qualifier: "every invocation uses these settings, whatever the qualifier" },
  },
  {
    type: "aws:lambda/permission:Permission",
    coverage: "recorded, not enforced",
    state: ({ inputs, name }) => ({ id: String(inputs.statementId ?? name), state: {} }),
  },
  // Lambda's recursive loop detection is not emulated: the sandbox never stops a chain of invocations.
  { type: "aws:lambda/functionRecursionConfig:FunctionRecursionConfig", coverage: "recorded, not enforced" },
];
