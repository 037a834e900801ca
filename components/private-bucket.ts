import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface PrivateBucketArgs {
  /**
   * Keep the objects: the bucket is protected and retained by Pulumi and never emptied on destroy.
   * Default false: `pulumi destroy` empties and deletes it (personal and review stacks).
   */
  readonly protectData?: boolean;
}

/**
 * A bucket nobody outside the account can read: all four public-access blocks, object ownership
 * enforced (no ACLs), default encryption, and a policy that refuses any request not made over TLS.
 */
export class PrivateBucket extends pulumi.ComponentResource {
  readonly bucket: aws.s3.Bucket;

  constructor(name: string, args: PrivateBucketArgs = {}, opts?: pulumi.ComponentResourceOptions) {
    super("job-offers:storage:PrivateBucket", name, {}, opts);
    const protectData = args.protectData ?? false;

    const parent = { parent: this };
    this.bucket = createBucket(name, protectData, parent);
    const publicAccessBlock = blockPublicAccess(name, this.bucket, parent);
    enforceOwnership(name, this.bucket, parent);
    encryptByDefault(name, this.bucket, parent);
    refuseInsecureTransport(name, this.bucket, publicAccessBlock, parent);

    this.registerOutputs({ bucketName: this.bucket.bucket });
  }
}

type Parent = { parent: pulumi.Resource };

function createBucket(name: string, protectData: boolean, parent: Parent): aws.s3.Bucket {
  return new aws.s3.Bucket(name, { forceDestroy: !protectData }, { ...parent, protect: protectData, retainOnDelete: protectData });
}

function blockPublicAccess(name: string, bucket: aws.s3.Bucket, parent: Parent): aws.s3.BucketPublicAccessBlock {
  return new aws.s3.BucketPublicAccessBlock(
    `${name}-public-access-block`,
    {
      bucket: bucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    },
    parent,
  );
}

/** The bucket owns every object: ACLs are off. */
function enforceOwnership(name: string, bucket: aws.s3.Bucket, parent: Parent): void {
  new aws.s3.BucketOwnershipControls(`${name}-ownership`, { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } }, parent);
}

function encryptByDefault(name: string, bucket: aws.s3.Bucket, parent: Parent): void {
  new aws.s3.BucketServerSideEncryptionConfiguration(
    `${name}-encryption`,
    { bucket: bucket.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] },
    parent,
  );
}

function refuseInsecureTransport(
  name: string,
  bucket: aws.s3.Bucket,
  publicAccessBlock: aws.s3.BucketPublicAccessBlock,
  parent: Parent,
): void {
  new aws.s3.BucketPolicy(
    `${name}-tls-only`,
    {
      bucket: bucket.id,
      policy: pulumi.jsonStringify({
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "DenyInsecureTransport",
            Effect: "Deny",
            Principal: "*",
            Action: "s3:*",
            Resource: [bucket.arn, pulumi.interpolate`${bucket.arn}/*`],
            Condition: { Bool: { "aws:SecureTransport": "false" } },
          },
        ],
      }),
    },
    // S3 rejects a bucket policy while the public-access block is still being applied.
    { ...parent, dependsOn: [publicAccessBlock] },
  );
}
