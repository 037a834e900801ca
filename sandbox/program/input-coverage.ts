import type { RecordedResource } from "../model/recorded";

/**
 * Which inputs of each emulated type the sandbox honours, and what the others mean locally. An
 * input the program sets that is in neither list is named at start as not honoured, so nothing
 * the program asks for is dropped without a word.
 */
interface TypeInputs {
  /** Read and acted on. */
  honoured: string[];
  /** Read by AWS only (names, descriptions, tags, permissions): nothing to do locally. */
  noLocalEffect?: string[];
  /** Set but not emulated, with what that means for the program here. */
  meaning?: Record<string, string>;
}

const always = ["name", "namePrefix", "tags", "tagsAll", "description", "region"];

const byType: Record<string, TypeInputs> = {
  "aws:dynamodb/table:Table": {
    honoured: ["attributes", "hashKey", "rangeKey", "billingMode", "readCapacity", "writeCapacity", "globalSecondaryIndexes", "localSecondaryIndexes"],
    noLocalEffect: ["pointInTimeRecovery", "deletionProtectionEnabled", "serverSideEncryption", "tableClass", "onDemandThroughput", "warmThroughput"],
    meaning: {
      streamEnabled: "no stream: functions on the table's stream are never invoked locally",
      streamViewType: "no stream: functions on the table's stream are never invoked locally",
      ttl: "expired items are not deleted locally",
      replicas: "one local table, no replicas",
    },
  },
  "aws:s3/bucket:Bucket": {
    honoured: ["bucket", "bucketPrefix"],
    noLocalEffect: ["forceDestroy", "acl", "objectLockEnabled", "serverSideEncryptionConfiguration"],
    meaning: {
      versioning: "objects are not versioned locally",
      lifecycleRules: "objects never expire locally",
      corsRules: "the local S3 answers no CORS",
      website: "no static website locally",
    },
  },
  "aws:sqs/queue:Queue": {
    honoured: [
      "visibilityTimeoutSeconds",
      "messageRetentionSeconds",
      "delaySeconds",
      "maxMessageSize",
      "receiveWaitTimeSeconds",
      "redrivePolicy",
      "redriveAllowPolicy",
      "fifoQueue",
      "contentBasedDeduplication",
    ],
    noLocalEffect: ["sqsManagedSseEnabled", "kmsMasterKeyId", "kmsDataKeyReusePeriodSeconds", "policy"],
    meaning: { deduplicationScope: "FIFO deduplication is per queue locally", fifoThroughputLimit: "no FIFO throughput limit locally" },
  },
  "aws:lambda/function:Function": {
    honoured: ["code", "handler", "runtime", "timeout", "memorySize", "environment", "reservedConcurrentExecutions", "loggingConfig"],
    noLocalEffect: ["role", "publish", "sourceCodeHash", "kmsKeyArn", "tracingConfig", "codeSigningConfigArn", "skipDestroy"],
    meaning: {
      architectures: "runs on this machine's processor, whatever the architecture",
      layers: "layers are not added: code that needs a layer's files fails locally",
      vpcConfig: "no VPC: the function reaches the sandbox's endpoints directly",
      deadLetterConfig: "failed asynchronous events go to the on-failure destination only, not to this DLQ",
      ephemeralStorage: "/tmp is the machine's, without this size limit",
      fileSystemConfigs: "no EFS mount locally",
      imageUri: "container images do not run in the sandbox",
      packageType: "container images do not run in the sandbox",
      snapStart: "no SnapStart locally",
    },
  },
  "aws:lambda/eventSourceMapping:EventSourceMapping": {
    honoured: ["eventSourceArn", "functionName", "batchSize", "maximumBatchingWindowInSeconds", "functionResponseTypes", "scalingConfig", "enabled"],
    meaning: { filterCriteria: "every message is delivered", startingPosition: "only SQS sources run locally", destinationConfig: "no on-failure destination for SQS mappings" },
  },
  "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig": {
    honoured: ["functionName", "maximumRetryAttempts", "maximumEventAgeInSeconds", "destinationConfig"],
    meaning: { qualifier: "every invocation uses these settings, whatever the qualifier" },
  },
  "aws:s3/bucketNotification:BucketNotification": {
    honoured: ["bucket", "lambdaFunctions", "queues"],
    meaning: { topics: "SNS topic notifications are not sent", eventbridge: "no EventBridge notifications" },
  },
  "aws:apigatewayv2/api:Api": {
    honoured: ["protocolType", "routeKey", "target", "corsConfiguration"],
    noLocalEffect: ["disableExecuteApiEndpoint", "version", "failOnWarnings", "ipAddressType"],
    meaning: { credentialsArn: "quick-create integrations are invoked without it", body: "an OpenAPI body is not imported: declare routes as resources" },
  },
  "aws:apigatewayv2/stage:Stage": {
    honoured: ["apiId", "name", "stageVariables", "autoDeploy"],
    noLocalEffect: ["deploymentId", "clientCertificateId"],
    meaning: {
      accessLogSettings: "no access log is written; the terminal shows each request",
      defaultRouteSettings: "no throttling locally",
      routeSettings: "no per-route throttling locally",
    },
  },
  "aws:apigatewayv2/route:Route": {
    honoured: ["apiId", "routeKey", "target", "authorizationType", "authorizerId"],
    noLocalEffect: ["operationName"],
    meaning: { authorizationScopes: "scopes are not checked", requestParameters: "required parameters are not checked", apiKeyRequired: "no API keys locally" },
  },
  "aws:apigatewayv2/integration:Integration": {
    honoured: ["apiId", "integrationType", "integrationSubtype", "integrationUri", "payloadFormatVersion", "timeoutMilliseconds"],
    noLocalEffect: ["integrationMethod", "credentialsArn", "connectionType"],
    meaning: { requestParameters: "the request is not transformed", responseParameters: "the response is not transformed" },
  },
  "aws:apigatewayv2/authorizer:Authorizer": {
    honoured: ["apiId", "authorizerType", "authorizerUri", "identitySources", "enableSimpleResponses", "authorizerPayloadFormatVersion", "authorizerResultTtlInSeconds"],
    noLocalEffect: ["authorizerCredentialsArn"],
    meaning: { jwtConfiguration: "JWTs are not checked" },
  },
  "aws:sns/topic:Topic": {
    honoured: [],
    noLocalEffect: ["kmsMasterKeyId", "policy", "deliveryPolicy", "signatureVersion", "tracingConfig"],
    meaning: { fifoTopic: "messages are not ordered or deduplicated", contentBasedDeduplication: "messages are not deduplicated" },
  },
  "aws:sns/topicSubscription:TopicSubscription": {
    honoured: ["topic", "protocol", "endpoint", "filterPolicy", "filterPolicyScope", "rawMessageDelivery"],
    noLocalEffect: ["confirmationTimeoutInMinutes", "endpointAutoConfirms", "subscriptionRoleArn"],
    meaning: { redrivePolicy: "failed deliveries are not sent to a DLQ", deliveryPolicy: "deliveries are not retried", replayPolicy: "no replay" },
  },
  "aws:cloudwatch/eventRule:EventRule": {
    honoured: ["scheduleExpression", "state", "isEnabled", "eventPattern"],
    noLocalEffect: ["roleArn", "eventBusName"],
  },
  "aws:cloudwatch/eventTarget:EventTarget": {
    honoured: ["rule", "arn", "input"],
    noLocalEffect: ["roleArn", "targetId", "eventBusName"],
    meaning: {
      inputPath: "the target gets the whole event",
      inputTransformer: "the target gets the whole event",
      retryPolicy: "Lambda's own async retries apply",
      deadLetterConfig: "failed deliveries are not sent to a DLQ",
    },
  },
};

/** Whether an input was set to something: absent, empty and false are the same as unset. */
function isSet(value: unknown): boolean {
  if (value === undefined || value === null || value === "" || value === false) return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === "object") return Object.keys(value).length > 0;
  return true;
}

/** Inputs of emulated resources the sandbox does not honour, each with what that means here. */
export function unhonouredInputs(resources: RecordedResource[]): string[] {
  const lines: string[] = [];
  for (const resource of resources) {
    const known = byType[resource.type];
    if (!known) continue;
    for (const [input, value] of Object.entries(resource.inputs)) {
      if (input.startsWith("__") || !isSet(value)) continue;
      if (always.includes(input) || known.honoured.includes(input) || known.noLocalEffect?.includes(input)) continue;
      const type = resource.type.replace(/^aws:/, "").replace(/:.*$/, "");
      lines.push(`${type} ${resource.name}: ${input} is not honoured: ${known.meaning?.[input] ?? "the sandbox ignores it"}`);
    }
  }
  return lines;
}
