import type { S3Client } from "@aws-sdk/client-s3";
import type { SQSClient } from "@aws-sdk/client-sqs";
import type { Reporter } from "../../shared/log";
import type { ResourceIndex } from "../../model/resource-index";
import type { AsyncInvoker } from "./async-invoke";
import type { LocalFunction } from "./function";

/**
 * What every service's triggers are started with: the program's resources, its running functions
 * (every trigger ends in an invocation, so this contract lives beside the functions), and the
 * clients of the local AWS endpoint.
 */
export interface TriggerContext {
  index: ResourceIndex;
  functions: ReadonlyMap<string, LocalFunction>;
  functionByRef(ref: unknown): LocalFunction | undefined;
  asyncInvoker: AsyncInvoker;
  s3: S3Client;
  sqs: SQSClient;
  awsEndpoint: string;
  reporter: Reporter;
}

/** The triggers one service started for what the program declared. */
export interface StartedTriggers {
  /**
   * One banner line per trigger or resource it runs (`trigger   sqs jobs -> sqs-to-dynamo (batch 10)`);
   * `programFlag` (` --program <dir>` or empty) goes with any command a line names.
   */
  describe(programFlag: string): string[];
  /** Commands that exercise these triggers; `programFlag` is ` --program <dir>` or empty. */
  tryIt?(programFlag: string): string[];
  /** Whether this service feeds event source mappings on that ARN (an SQS queue, a stream). */
  handlesEventSource?(arn: string): boolean;
  stop(): Promise<void> | void;
}
