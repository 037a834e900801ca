import type { S3ClientConfig } from "@aws-sdk/client-s3";
import type { SQSClientConfig } from "@aws-sdk/client-sqs";

/**
 * Client settings shared by the handlers. On Lambda these are the SDK defaults. When an endpoint
 * override (`AWS_ENDPOINT_URL`, or the service's own `AWS_ENDPOINT_URL_S3` / `AWS_ENDPOINT_URL_SQS`,
 * both read by the SDK itself) points at a local emulator (the sandbox, the tests), S3 must be
 * addressed path-style (bucket hostnames do not resolve on a laptop) and SQS must send to the
 * endpoint rather than to the queue URL's host.
 */
const env = process.env;

export const s3ClientConfig: S3ClientConfig = env.AWS_ENDPOINT_URL || env.AWS_ENDPOINT_URL_S3 ? { forcePathStyle: true } : {};
export const sqsClientConfig: SQSClientConfig = env.AWS_ENDPOINT_URL || env.AWS_ENDPOINT_URL_SQS ? { useQueueUrlAsEndpoint: false } : {};
