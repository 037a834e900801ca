import { S3Client } from "@aws-sdk/client-s3";
import { SQSClient } from "@aws-sdk/client-sqs";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { credentials } from "./dynamo-harness";

/** SDK clients for a running sandbox, from its outputs.json, as `npm run upload` builds them. */
export function sandboxClients(outputs: Record<string, string>) {
  const common = { endpoint: outputs.awsEndpoint, region: outputs.region, credentials };
  return {
    s3: new S3Client({ ...common, forcePathStyle: true }),
    sqs: new SQSClient(common),
    dynamo: new DynamoDBClient(common),
    destroy() {
      this.s3.destroy();
      this.sqs.destroy();
      this.dynamo.destroy();
    },
  };
}

/** GET on the sandbox's API; JSON back, and a status other than 200 is an error. */
export async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url);
  if (response.status !== 200) throw new Error(`GET ${url}: ${response.status} ${(await response.text()).slice(0, 200)}`);
  return (await response.json()) as T;
}
