import type { S3Client } from "@aws-sdk/client-s3";
import type { SQSClient } from "@aws-sdk/client-sqs";
import type { LocalAws } from "./endpoint";
import type { Reporter } from "./shared/log";
import type { Deployment } from "./model/recorded";
import { ResourceIndex, types } from "./model/resource-index";
import { functionSpecOf } from "./services/lambda/spec-of";
import { LocalFunction } from "./services/lambda/function";
import { AsyncInvoker } from "./services/lambda/async-invoke";
import type { StartedTriggers, TriggerContext } from "./services/lambda/triggers";
import { startS3Notifications } from "./services/s3/notifications";
import { startSqsMappings } from "./services/sqs/mappings";
import { startStreamMappings } from "./services/dynamodb/stream-wiring";
import { partiqlNote } from "./services/dynamodb/partiql";
import type { StreamEventRecord } from "./services/dynamodb/stream-event-source-mapping";
import { startHttpApis } from "./services/apigateway/http-apis";
import { LocalTopics } from "./services/sns/topics";
import { LocalSchedules } from "./services/events/schedules";
import type { HttpGateway } from "./services/apigateway/gateway";
import type { FaultPlan } from "./faults/plan";

export interface WiringDeps {
  aws: LocalAws;
  gateway: HttpGateway;
  s3: S3Client;
  sqs: SQSClient;
  stateDir: string;
  reporter: Reporter;
  retryDelaysMs?: number[];
  faults?: FaultPlan;
}

/**
 * Everything that makes the deployed resources behave: the functions' execution environments, and each service's
 * triggers for what the program declared between them (S3 notifications, SQS mappings, SNS
 * subscriptions, schedules, HTTP routes).
 */
export class Wiring {
  readonly functions = new Map<string, LocalFunction>();
  readonly asyncInvoker: AsyncInvoker;
  /** Per function name, the last SQS message body it accepted: a sample that runs its happy path. */
  readonly acceptedBodies = new Map<string, string>();
  /** Per function name, the last stream record it accepted (the same, for `--sample dynamodb`). */
  readonly acceptedStreamRecords = new Map<string, StreamEventRecord>();
  index: ResourceIndex;
  topics!: LocalTopics;
  schedules!: LocalSchedules;
  /** What each service started, in start order: the banner lists them, a redeploy stops them. */
  triggers: StartedTriggers[] = [];

  constructor(
    deployment: Deployment,
    private readonly deps: WiringDeps,
  ) {
    this.index = new ResourceIndex(deployment);
    this.asyncInvoker = new AsyncInvoker({
      sqs: deps.sqs,
      awsEndpoint: deps.aws.origin,
      reporter: deps.reporter,
      retryDelaysMs: deps.retryDelaysMs,
    });
    this.startFunctions();
    this.startTriggers();
  }

  functionByRef = (ref: unknown): LocalFunction | undefined => {
    const recorded = this.index.functionByRef(ref);
    return recorded ? this.functions.get(String(recorded.state.name)) : undefined;
  };

  private startFunctions() {
    for (const resource of this.index.all(types.function)) {
      const spec = functionSpecOf(resource);
      this.functions.set(
        spec.name,
        new LocalFunction(spec, { stateDir: this.deps.stateDir, awsEndpoint: this.deps.aws.origin, faults: this.deps.faults }),
      );
      const partiql = partiqlNote(spec);
      if (partiql) this.deps.reporter.warn(partiql);
    }
  }

  /** One line per service; the order is what they need of each other (schedules publish to topics). */
  private startTriggers() {
    const { deps } = this;
    const context: TriggerContext = {
      index: this.index,
      functions: this.functions,
      functionByRef: this.functionByRef,
      asyncInvoker: this.asyncInvoker,
      s3: deps.s3,
      sqs: deps.sqs,
      awsEndpoint: deps.aws.origin,
      reporter: deps.reporter,
    };
    this.topics = new LocalTopics(context);
    this.schedules = new LocalSchedules({ ...context, topics: this.topics }).start();
    this.triggers = [
      this.topics,
      startS3Notifications(context, deps.aws.objectEvents),
      startSqsMappings(context, (functionName, body) => this.acceptedBodies.set(functionName, body)),
      startStreamMappings(context, deps.aws.dynamo.streams, (functionName, record) => this.acceptedStreamRecords.set(functionName, record)),
      this.schedules,
      startHttpApis(context, deps.gateway),
    ];
    for (const mapping of this.index.all(types.eventSourceMapping)) {
      const source = String(mapping.inputs.eventSourceArn);
      if (!this.triggers.some((started) => started.handlesEventSource?.(source))) {
        deps.reporter.warn(
          `${mapping.name}: event source ${source} is not emulated (SQS queues and table streams of this program are): the function gets nothing from it`,
        );
      }
    }
  }

  /**
   * Takes a new deployment of the same program. If only function code or settings changed, the
   * affected functions swap their execution environments and every trigger keeps running (nothing in flight is
   * lost); otherwise the triggers are rewired.
   */
  async update(deployment: Deployment): Promise<{ swapped: string[]; rewired: boolean }> {
    const next = new ResourceIndex(deployment);
    // Registration order varies between runs: compare sorted.
    const shape = (index: ResourceIndex) =>
      JSON.stringify(
        index.deployment.resources
          .filter((resource) => resource.type !== types.function)
          .map((resource) => JSON.stringify([resource.type, resource.name, resource.inputs]))
          .sort(),
      );
    const sameFunctions =
      JSON.stringify(
        next
          .all(types.function)
          .map((fn) => fn.state.name)
          .sort(),
      ) ===
      JSON.stringify(
        this.index
          .all(types.function)
          .map((fn) => fn.state.name)
          .sort(),
      );
    const swapped: string[] = [];
    if (sameFunctions) {
      for (const resource of next.all(types.function)) {
        const spec = functionSpecOf(resource);
        if (this.functions.get(spec.name)!.update(spec)) swapped.push(spec.logicalName);
      }
    }
    const rewired = !sameFunctions || shape(next) !== shape(this.index);
    if (rewired) {
      await this.stopTriggers();
      if (!sameFunctions) {
        await Promise.all([...this.functions.values()].map((fn) => fn.stop()));
        this.functions.clear();
        this.index = next;
        this.startFunctions();
      }
      this.index = next;
      this.startTriggers();
    } else {
      this.index = next;
    }
    return { swapped, rewired };
  }

  private async stopTriggers() {
    await Promise.all(this.triggers.map((started) => started.stop()));
    this.triggers = [];
  }

  async stop(): Promise<void> {
    this.asyncInvoker.stop();
    await this.stopTriggers();
    await Promise.all([...this.functions.values()].map((fn) => fn.stop()));
  }
}
