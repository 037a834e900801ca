import type { S3Client } from "@aws-sdk/client-s3";
import type { SQSClient } from "@aws-sdk/client-sqs";
import type { LocalAws, ObjectEvent } from "./endpoint";
import type { Reporter } from "./shared/log";
import type { Deployment } from "./model/recorded";
import { ResourceIndex, types } from "./model/resource-index";
import { functionSpecOf } from "./services/lambda/spec-of";
import { LocalFunction } from "./services/lambda/function";
import { AsyncInvoker } from "./services/lambda/async-invoke";
import { wireS3Notifications } from "./services/s3/notifications";
import { mappingSettings, SqsPoller } from "./services/sqs/event-source-mapping";
import { isStreamArn, wireStreamMappings } from "./services/dynamodb/stream-wiring";
import { partiqlNote } from "./services/dynamodb/partiql";
import type { StreamEventRecord } from "./services/dynamodb/stream-event-source-mapping";
import { httpApisOf } from "./services/apigateway/api-model";
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
 * Everything that makes the deployed resources behave: the functions' workers, and the triggers
 * the program declared between them (S3 notifications, SQS mappings, SNS subscriptions, schedules,
 * HTTP routes).
 */
export class Wiring {
  readonly functions = new Map<string, LocalFunction>();
  readonly asyncInvoker: AsyncInvoker;
  private pollers: SqsPoller[] = [];
  /** Per function name, the last SQS message body it accepted: a sample that runs its happy path. */
  readonly acceptedBodies = new Map<string, string>();
  /** Per function name, the last stream record it accepted (the same, for `--sample dynamodb`). */
  readonly acceptedStreamRecords = new Map<string, StreamEventRecord>();
  private streamMappings?: { stop(): Promise<void> };
  private onObjectEvent?: (write: ObjectEvent) => void;
  index: ResourceIndex;
  topics!: LocalTopics;
  schedules!: LocalSchedules;

  constructor(
    deployment: Deployment,
    private readonly deps: WiringDeps,
  ) {
    this.index = new ResourceIndex(deployment);
    this.asyncInvoker = new AsyncInvoker({ sqs: deps.sqs, awsEndpoint: deps.aws.origin, reporter: deps.reporter, retryDelaysMs: deps.retryDelaysMs });
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
      this.functions.set(spec.name, new LocalFunction(spec, { stateDir: this.deps.stateDir, awsEndpoint: this.deps.aws.origin, faults: this.deps.faults }));
      const partiql = partiqlNote(spec);
      if (partiql) this.deps.reporter.warn(partiql);
    }
  }

  private startTriggers() {
    const { deps, index } = this;
    this.topics = new LocalTopics({
      index,
      functionByRef: this.functionByRef,
      asyncInvoker: this.asyncInvoker,
      sqs: deps.sqs,
      awsEndpoint: deps.aws.origin,
      reporter: deps.reporter,
    });
    this.onObjectEvent = wireS3Notifications({
      index,
      functions: this.functions,
      asyncInvoker: this.asyncInvoker,
      s3: deps.s3,
      sqs: deps.sqs,
      awsEndpoint: deps.aws.origin,
      reporter: deps.reporter,
    });
    deps.aws.objectEvents.add(this.onObjectEvent);

    this.schedules = new LocalSchedules({
      index,
      functionByRef: this.functionByRef,
      asyncInvoker: this.asyncInvoker,
      topics: this.topics,
      sqs: deps.sqs,
      awsEndpoint: deps.aws.origin,
      reporter: deps.reporter,
    });
    this.schedules.start();

    for (const mapping of index.all(types.eventSourceMapping)) {
      if (mapping.inputs.enabled === false || isStreamArn(mapping.inputs.eventSourceArn)) continue;
      const queue = index.queueByArn(mapping.inputs.eventSourceArn);
      const fn = this.functionByRef(mapping.inputs.functionName);
      if (!queue || !fn) {
        deps.reporter.warn(`${mapping.name}: only SQS queues and DynamoDB streams of this program can feed a function locally (${mapping.inputs.eventSourceArn})`);
        continue;
      }
      const settings = mappingSettings(mapping.name, mapping.inputs, { url: String(queue.state.url), arn: String(queue.state.arn) });
      const poller = new SqsPoller(settings, () => this.functionByRef(mapping.inputs.functionName) ?? fn, deps.sqs, deps.reporter, (body) =>
        this.acceptedBodies.set(fn.name, body),
      );
      poller.start();
      this.pollers.push(poller);
    }

    this.streamMappings = wireStreamMappings({
      index,
      functionByRef: this.functionByRef,
      streams: deps.aws.dynamo.streams,
      sqs: deps.sqs,
      awsEndpoint: deps.aws.origin,
      reporter: deps.reporter,
      onAccepted: (functionName, records) => this.acceptedStreamRecords.set(functionName, records[records.length - 1]),
    });

    const { apis, problems } = httpApisOf(index);
    problems.forEach((problem) => deps.reporter.warn(problem));
    deps.gateway.wire({ apis, functionByRef: (ref) => this.functionByRef(ref) });
  }

  /**
   * Takes a new deployment of the same program. If only function code or settings changed, the
   * affected functions swap their workers and every trigger keeps running (nothing in flight is
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
      JSON.stringify(next.all(types.function).map((fn) => fn.state.name).sort()) ===
      JSON.stringify(this.index.all(types.function).map((fn) => fn.state.name).sort());
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
    if (this.onObjectEvent) this.deps.aws.objectEvents.delete(this.onObjectEvent);
    this.schedules?.stop();
    await Promise.all([...this.pollers.map((poller) => poller.stop()), this.streamMappings?.stop()]);
    this.pollers = [];
    this.streamMappings = undefined;
  }

  async stop(): Promise<void> {
    this.asyncInvoker.stop();
    await this.stopTriggers();
    await Promise.all([...this.functions.values()].map((fn) => fn.stop()));
  }
}
