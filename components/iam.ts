import * as pulumi from "@pulumi/pulumi";

/**
 * IAM statement builders. Every statement names its actions and its resources: there is no way to
 * write a wildcard action or a `*` resource through them, and a test checks the documents.
 */
export interface Statement {
  readonly sid: string;
  readonly actions: readonly string[];
  readonly resources: readonly pulumi.Input<string>[];
}

export function allow(sid: string, actions: readonly string[], resources: readonly pulumi.Input<string>[]): Statement {
  for (const action of actions) {
    if (action.includes("*")) throw new Error(`IAM statement ${sid}: action '${action}' is a wildcard; name the actions`);
  }
  if (resources.length === 0) throw new Error(`IAM statement ${sid}: name at least one resource`);
  return { sid, actions, resources };
}

/** A policy document as the JSON string IAM expects, resolved from the statements' Outputs. */
export function policyDocument(statements: readonly Statement[]): pulumi.Output<string> {
  return pulumi.all(statements.map((statement) => pulumi.all(statement.resources as pulumi.Input<string>[]))).apply((resolved) => {
    for (const [index, resources] of resolved.entries()) {
      if (resources.some((resource) => resource === "*")) {
        throw new Error(`IAM statement ${statements[index].sid}: resource '*' is not allowed; name the resources`);
      }
    }
    return JSON.stringify({
      Version: "2012-10-17",
      Statement: statements.map((statement, index) => ({
        Sid: statement.sid,
        Effect: "Allow",
        Action: [...statement.actions],
        Resource: resolved[index],
      })),
    });
  });
}

/** Trust policy that lets the Lambda service assume a function's role. */
export const lambdaAssumeRolePolicy = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
});
