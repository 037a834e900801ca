import type { ResourceTypeSupport } from "../../model/resource-type";

/** Bucket settings that mean something on AWS and nothing on a loopback-only emulator. */
const noLocalEffect = (type: string): ResourceTypeSupport => ({ type, coverage: "not emulated (no effect locally)" });

const bucket: ResourceTypeSupport = {
  type: "aws:s3/bucket:Bucket",
  coverage: "emulated",
  nameInput: "bucket",
  honoured: ["bucket", "bucketPrefix"],
  noLocalEffect: ["forceDestroy", "acl", "objectLockEnabled", "serverSideEncryptionConfiguration"],
  meaning: {
    versioning: "objects are not versioned locally",
    lifecycleRules: "objects never expire locally",
    corsRules: "the local S3 answers no CORS",
    website: "no static website locally",
  },
  state: ({ physical, region }) => ({
    id: physical,
    state: {
      bucket: physical,
      arn: `arn:aws:s3:::${physical}`,
      region,
      bucketDomainName: `${physical}.s3.amazonaws.com`,
      bucketRegionalDomainName: `${physical}.s3.${region}.amazonaws.com`,
    },
  }),
  describe: (bucket) => `bucket    ${bucket.state.bucket}  (${bucket.name}; objects kept until a stop)`,
};

export const s3ResourceTypes: ResourceTypeSupport[] = [
  bucket,
  // @pulumi/aws 6's recommended bucket: the same bucket (listed with the others by `bucket`'s
  // describe), its settings named in the plural.
  {
    ...bucket,
    type: "aws:s3/bucketV2:BucketV2",
    noLocalEffect: ["forceDestroy", "acl", "objectLockEnabled", "serverSideEncryptionConfigurations"],
    meaning: {
      versionings: bucket.meaning!.versioning,
      lifecycleRules: bucket.meaning!.lifecycleRules,
      corsRules: bucket.meaning!.corsRules,
      websites: bucket.meaning!.website,
    },
    describe: undefined,
  },
  {
    type: "aws:s3/bucketNotification:BucketNotification",
    coverage: "emulated",
    honoured: ["bucket", "lambdaFunctions", "queues"],
    meaning: { topics: "SNS topic notifications are not sent", eventbridge: "no EventBridge notifications" },
    state: ({ inputs }) => ({ id: String(inputs.bucket), state: {} }),
  },
  noLocalEffect("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"),
  noLocalEffect("aws:s3/bucketPolicy:BucketPolicy"),
  noLocalEffect("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"),
  noLocalEffect("aws:s3/bucketOwnershipControls:BucketOwnershipControls"),
  noLocalEffect("aws:s3/bucketVersioning:BucketVersioning"),
  noLocalEffect("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"),
  // Their names in @pulumi/aws 6, beside BucketV2.
  noLocalEffect("aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2"),
  noLocalEffect("aws:s3/bucketVersioningV2:BucketVersioningV2"),
  noLocalEffect("aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2"),
];
