import * as aws from "@pulumi/aws";

export interface StackProviderArgs {
  readonly region: string;
  /** The only accounts this stack may deploy into: the provider refuses other credentials. */
  readonly allowedAccountIds: string[];
  /** Tags every resource carries (project, stack, owner). */
  readonly tags: Record<string, string>;
}

/**
 * The AWS provider of a stack. Explicit rather than the default one so that region, account pin
 * and tags are stated once for every resource, whatever a component creates. No credentials or
 * profile: provider inputs are stored in the stack's state, and whoever updates or destroys the
 * stack next (a teammate, CI with OIDC credentials) brings their own through the environment.
 */
export function stackProvider(name: string, args: StackProviderArgs): aws.Provider {
  return new aws.Provider(name, {
    region: args.region as aws.Region,
    allowedAccountIds: args.allowedAccountIds,
    defaultTags: { tags: args.tags },
  });
}
