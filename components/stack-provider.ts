import * as aws from "@pulumi/aws";

export interface StackProviderArgs {
  readonly region: string;
  /** The only accounts this stack may deploy into: the provider refuses other credentials. */
  readonly allowedAccountIds: string[];
  /** Named AWS profile to take credentials from. Default: the SDK's usual chain (AWS_PROFILE, ...). */
  readonly awsProfile?: string;
  /** Tags every resource carries (project, stack, owner). */
  readonly tags: Record<string, string>;
}

/**
 * The AWS provider of a stack. Explicit rather than the default one so that region, account pin
 * and tags are stated once for every resource, whatever a component creates. An explicit provider
 * reads no `aws:*` stack config by itself: what a stack may set is passed on here.
 */
export function stackProvider(name: string, args: StackProviderArgs): aws.Provider {
  return new aws.Provider(name, {
    region: args.region as aws.Region,
    allowedAccountIds: args.allowedAccountIds,
    ...(args.awsProfile ? { profile: args.awsProfile } : {}),
    defaultTags: { tags: args.tags },
  });
}
