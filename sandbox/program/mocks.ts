import type { MockCallArgs, MockResourceArgs, MockCallResult, MockResourceResult } from "@pulumi/pulumi/runtime";
import { createHash, randomUUID } from "node:crypto";
import { sandboxAccountId as account, sandboxRegion as region } from "../shared/constants";
import type { RecordedResource } from "../model/recorded";
import { gatewayId, physicalName, stableSuffix } from "./physical-names";
import { plain } from "./serialize";
import type { Provisioner } from "./provision";

type State = Record<string, unknown>;

const arn = (service: string, resource: string) => `arn:aws:${service}:${region}:${account}:${resource}`;

/**
 * Pulumi mocks whose resources are real: each declared table, bucket and queue is created in the
 * emulators and answered with its local name, URL and ARN, so every Output the program derives
 * from them (environment variables, policies, redrive policies) carries real local values.
 */
export function sandboxMocks(options: { stack: string; apiOrigin: string; provisioner: Provisioner }) {
  const recorded: RecordedResource[] = [];
  const { stack, apiOrigin, provisioner } = options;

  async function created(type: string, name: string, inputs: State): Promise<{ id: string; state: State }> {
    const named = (key = "name") => physicalName(inputs, stack, type, name, key);
    switch (type) {
      case "aws:dynamodb/table:Table": {
        const table = named();
        await provisioner.table(table, inputs);
        return { id: table, state: { name: table, arn: arn("dynamodb", `table/${table}`), streamArn: "", streamLabel: "" } };
      }
      case "aws:s3/bucket:Bucket": {
        const bucket = named("bucket");
        await provisioner.bucket(bucket);
        return {
          id: bucket,
          state: {
            bucket,
            arn: `arn:aws:s3:::${bucket}`,
            region,
            bucketDomainName: `${bucket}.s3.amazonaws.com`,
            bucketRegionalDomainName: `${bucket}.s3.${region}.amazonaws.com`,
          },
        };
      }
      case "aws:sqs/queue:Queue": {
        const queue = named();
        const url = await provisioner.queue(queue, inputs);
        return { id: url, state: { name: queue, url, arn: arn("sqs", queue) } };
      }
      case "aws:lambda/function:Function": {
        const fn = named();
        const functionArn = arn("lambda", `function:${fn}`);
        const code = JSON.stringify(inputs.code ?? "");
        return {
          id: fn,
          state: {
            name: fn,
            arn: functionArn,
            qualifiedArn: `${functionArn}:$LATEST`,
            invokeArn: `arn:aws:apigateway:${region}:lambda:path/2015-03-31/functions/${functionArn}/invocations`,
            version: "$LATEST",
            sourceCodeHash: createHash("sha256").update(code).digest("base64"),
            lastModified: new Date().toISOString(),
          },
        };
      }
      case "aws:cloudwatch/logGroup:LogGroup": {
        const group = named();
        return { id: group, state: { name: group, arn: arn("logs", `log-group:${group}`) } };
      }
      case "aws:iam/role:Role": {
        const role = named();
        return { id: role, state: { name: role, arn: `arn:aws:iam::${account}:role/${role}`, uniqueId: `AROA${stableSuffix(role).toUpperCase()}` } };
      }
      case "aws:iam/rolePolicy:RolePolicy": {
        const policy = named();
        return { id: `${inputs.role}:${policy}`, state: { name: policy } };
      }
      case "aws:apigatewayv2/api:Api": {
        const id = gatewayId(10, stack, name);
        return { id, state: { apiEndpoint: apiOrigin, arn: `arn:aws:apigateway:${region}::/apis/${id}`, executionArn: arn("execute-api", id) } };
      }
      case "aws:apigatewayv2/stage:Stage": {
        const stage = String(inputs.name);
        const invokeUrl = stage === "$default" ? `${apiOrigin}/` : `${apiOrigin}/${stage}`;
        return {
          id: stage,
          state: {
            invokeUrl,
            arn: `arn:aws:apigateway:${region}::/apis/${inputs.apiId}/stages/${stage}`,
            executionArn: arn("execute-api", `${inputs.apiId}/${stage}`),
          },
        };
      }
      case "aws:apigatewayv2/integration:Integration":
      case "aws:apigatewayv2/route:Route":
      case "aws:apigatewayv2/authorizer:Authorizer":
        return { id: gatewayId(7, stack, type, name), state: {} };
      case "aws:lambda/permission:Permission":
        return { id: String(inputs.statementId ?? name), state: {} };
      case "aws:lambda/eventSourceMapping:EventSourceMapping": {
        const uuid = randomUUID();
        return { id: uuid, state: { uuid, functionArn: inputs.functionName, state: "Enabled", arn: arn("lambda", `event-source-mapping:${uuid}`) } };
      }
      case "aws:cloudwatch/eventRule:EventRule": {
        const rule = named();
        return { id: rule, state: { name: rule, arn: arn("events", `rule/${rule}`) } };
      }
      case "aws:sns/topic:Topic": {
        const topic = named();
        return { id: arn("sns", topic), state: { name: topic, arn: arn("sns", topic) } };
      }
      case "aws:sns/topicSubscription:TopicSubscription": {
        const subscription = `${inputs.topic}:${randomUUID()}`;
        return { id: subscription, state: { arn: subscription, confirmationWasAuthenticated: true, pendingConfirmation: false } };
      }
      case "aws:s3/bucketNotification:BucketNotification":
        return { id: String(inputs.bucket), state: {} };
      default: {
        // Not emulated, but the program may still read its name or ARN (an alarm's SNS topic, say):
        // answer them in AWS's usual shape so every derived Output and stack output has a value.
        const physical = named();
        const service = type.split(":")[1]?.split("/")[0] ?? "unknown";
        return { id: physical, state: { name: physical, arn: arn(service, physical) } };
      }
    }
  }

  return {
    recorded,
    mocks: {
      async newResource(args: MockResourceArgs): Promise<MockResourceResult> {
        const inputs = (await plain(args.inputs)) as State;
        const { id, state } = await created(args.type, args.name, inputs);
        recorded.push({ type: args.type, name: args.name, id, inputs, state: { ...inputs, ...state }, custom: args.custom !== false });
        // The program gets its own inputs back (secrets stay secrets) plus what AWS computes.
        return { id, state: { ...args.inputs, ...state } };
      },
      call(args: MockCallArgs): MockCallResult {
        switch (args.token) {
          case "aws:index/getCallerIdentity:getCallerIdentity":
            return { accountId: account, arn: `arn:aws:iam::${account}:user/sandbox`, userId: "AIDASANDBOX", id: account };
          case "aws:index/getRegion:getRegion":
            return { name: region, region, id: region, description: "US East (N. Virginia)", endpoint: `ec2.${region}.amazonaws.com` };
          case "aws:index/getPartition:getPartition":
            return { partition: "aws", id: "aws", dnsSuffix: "amazonaws.com", reverseDnsPrefix: "com.amazonaws" };
          default:
            // A data source the sandbox cannot answer truthfully must not be answered at all.
            throw new Error(`the sandbox cannot answer ${args.token}(${JSON.stringify(args.inputs)}): it knows getCallerIdentity, getRegion and getPartition`);
        }
      },
    },
  };
}
