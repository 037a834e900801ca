import type { ResourceTypeSupport } from "../model/resource-type";
import { apigatewayResourceTypes } from "./apigateway/resource-types";
import { cloudwatchResourceTypes } from "./cloudwatch/resource-types";
import { dynamodbResourceTypes } from "./dynamodb/resource-types";
import { eventsResourceTypes } from "./events/resource-types";
import { iamResourceTypes } from "./iam/resource-types";
import { lambdaResourceTypes } from "./lambda/resource-types";
import { s3ResourceTypes } from "./s3/resource-types";
import { snsResourceTypes } from "./sns/resource-types";
import { sqsResourceTypes } from "./sqs/resource-types";

/** Every resource type the sandbox knows, from the service it belongs to: a new service is one line. */
export const resourceTypes: ReadonlyMap<string, ResourceTypeSupport> = new Map(
  [
    ...dynamodbResourceTypes,
    ...s3ResourceTypes,
    ...sqsResourceTypes,
    ...lambdaResourceTypes,
    ...apigatewayResourceTypes,
    ...snsResourceTypes,
    ...eventsResourceTypes,
    ...iamResourceTypes,
    ...cloudwatchResourceTypes,
  ].map((support) => [support.type, support]),
);
