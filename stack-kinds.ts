/**
 * Stack kinds (shared, review, personal), in one module without Pulumi so that the program's config
 * and the delivery scripts (stack:new, cleanup) share the very same rule.
 */

export type StackKind = "shared" | "review" | "personal";

export const SHARED_STACKS: readonly string[] = ["dev", "staging", "prod"];
const REVIEW_STACK = /^pr-(\d+)$/;

export function stackKindOf(stack: string): StackKind {
  if (SHARED_STACKS.includes(stack)) return "shared";
  if (REVIEW_STACK.test(stack)) return "review";
  return "personal";
}

/** The pull request (or merge request) number of a review stack, or undefined for other kinds. */
export function reviewNumberOf(stack: string): number | undefined {
  const match = REVIEW_STACK.exec(stack);
  return match ? Number(match[1]) : undefined;
}

/**
 * `pulumi stack ls --json` may qualify a name (`org/project/stack`) when the stack is not in the
 * default organisation; the kind depends on the last segment only.
 */
export function shortStackName(name: string): string {
  return name.slice(name.lastIndexOf("/") + 1);
}
