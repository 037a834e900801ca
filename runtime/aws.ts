import type { S3ClientConfig } from "@aws-sdk/client-s3";
import type { SQSClientConfig } from "@aws-sdk/client-sqs";

/**
 * Client settings shared by the handlers. On Lambda these are the SDK defaults. When
 * `AWS_ENDPOINT_URL` points at a local endpoint (the sandbox, the tests), S3 must be addressed
 * path-style (bucket hostnames do not resolve on a laptop) and SQS must send to the endpoint rather
 * than to the queue URL's host.
 */
const localEndpoint = Boolean(process.env.AWS_ENDPOINT_URL);

export const s3ClientConfig: S3ClientConfig = localEndpoint ? { forcePathStyle: true } : {};
export const sqsClientConfig: SQSClientConfig = localEndpoint ? { useQueueUrlAsEndpoint: false } : {};
