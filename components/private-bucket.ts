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

    this.bucket = new aws.s3.Bucket(
      name,
      { forceDestroy: !protectData },
      { parent: this, protect: protectData, retainOnDelete: protectData },
    );

    const publicAccessBlock = new aws.s3.BucketPublicAccessBlock(
      `${name}-public-access-block`,
      {
        bucket: this.bucket.id,
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      },
      { parent: this },
    );

    new aws.s3.BucketOwnershipControls(
      `${name}-ownership`,
      { bucket: this.bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } },
      { parent: this },
    );

    new aws.s3.BucketServerSideEncryptionConfiguration(
      `${name}-encryption`,
      { bucket: this.bucket.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] },
      { parent: this },
    );

    new aws.s3.BucketPolicy(
      `${name}-tls-only`,
      {
        bucket: this.bucket.id,
        policy: pulumi.jsonStringify({
          Version: "2012-10-17",
          Statement: [
            {
              Sid: "DenyInsecureTransport",
              Effect: "Deny",
              Principal: "*",
              Action: "s3:*",
              Resource: [this.bucket.arn, pulumi.interpolate`${this.bucket.arn}/*`],
              Condition: { Bool: { "aws:SecureTransport": "false" } },
            },
          ],
        }),
      },
      // S3 rejects a bucket policy while the public-access block is still being applied.
      { parent: this, dependsOn: [publicAccessBlock] },
    );

    this.registerOutputs({ bucketName: this.bucket.bucket });
  }
}
