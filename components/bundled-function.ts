import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { handlerArchive, HANDLER, SOURCE_MAP_NODE_OPTIONS } from "./bundle";
import { allow, lambdaAssumeRolePolicy, policyDocument, Statement } from "./iam";

export interface BundledFunctionArgs {
  /** Handler entry, relative to the project root, e.g. `runtime/job-api/index.ts`. */
  readonly entry: string;
  readonly description: string;
  /** The handler's environment, built from its env contract so no variable can be forgotten. */
  readonly environment: Record<string, pulumi.Input<string>>;
  /** Seconds before Lambda stops an invocation. */
  readonly timeout: number;
  /** Memory in MB; Lambda scales CPU with it. */
  readonly memorySize: number;
  /** Days the function's log group keeps logs. */
  readonly logRetentionDays: number;
  /** What the function may do besides writing its own logs; named actions on named resources only. */
  readonly statements: readonly Statement[];
}

/**
 * The one way this project makes a Lambda function: the bundled handler, a role whose inline policy
 * grants exactly the statements given plus writing to the function's own log group, the log group
 * with a retention (created by the program, so `pulumi destroy` removes it), Node 24 on arm64 with
 * JSON logs, and stack traces at the handler's TypeScript lines (its source map).
 */
export class BundledFunction extends pulumi.ComponentResource {
  readonly function: aws.lambda.Function;
  readonly role: aws.iam.Role;
  readonly logGroup: aws.cloudwatch.LogGroup;
  readonly name: pulumi.Output<string>;
  readonly arn: pulumi.Output<string>;
  readonly invokeArn: pulumi.Output<string>;

  constructor(name: string, args: BundledFunctionArgs, opts?: pulumi.ComponentResourceOptions) {
    super("job-offers:lambda:BundledFunction", name, {}, opts);
    const code = handlerArchive(args.entry);

    const parent = { parent: this };
    this.logGroup = createLogGroup(name, args, parent);
    this.role = createRole(name, args, parent);
    const policy = grantStatements(name, args, this, parent);
    this.function = createFunction(name, args, code, this, policy, parent);

    this.name = this.function.name;
    this.arn = this.function.arn;
    this.invokeArn = this.function.invokeArn;
    this.registerOutputs({ name: this.name, arn: this.arn });
  }
}

type Parent = { parent: pulumi.Resource };

function createLogGroup(name: string, args: BundledFunctionArgs, parent: Parent): aws.cloudwatch.LogGroup {
  return new aws.cloudwatch.LogGroup(
    `${name}-logs`,
    { namePrefix: `/aws/lambda/${name}-`, retentionInDays: args.logRetentionDays },
    parent,
  );
}

function createRole(name: string, args: BundledFunctionArgs, parent: Parent): aws.iam.Role {
  return new aws.iam.Role(
    `${name}-role`,
    { assumeRolePolicy: lambdaAssumeRolePolicy, description: `Runs ${name}: ${args.description}` },
    parent,
  );
}

/** The role's inline policy: writing to the function's own log group, and the statements given. */
function grantStatements(
  name: string,
  args: BundledFunctionArgs,
  fn: Pick<BundledFunction, "role" | "logGroup">,
  parent: Parent,
): aws.iam.RolePolicy {
  return new aws.iam.RolePolicy(
    `${name}-policy`,
    {
      role: fn.role.id,
      policy: policyDocument([
        allow("WriteOwnLogs", ["logs:CreateLogStream", "logs:PutLogEvents"], [pulumi.interpolate`${fn.logGroup.arn}:*`]),
        ...args.statements,
      ]),
    },
    parent,
  );
}

function createFunction(
  name: string,
  args: BundledFunctionArgs,
  code: pulumi.asset.AssetArchive,
  fn: Pick<BundledFunction, "role" | "logGroup">,
  policy: aws.iam.RolePolicy,
  parent: Parent,
): aws.lambda.Function {
  return new aws.lambda.Function(
    name,
    {
      description: args.description,
      code,
      handler: HANDLER,
      runtime: aws.lambda.Runtime.NodeJS24dX,
      architectures: ["arm64"],
      role: fn.role.arn,
      timeout: args.timeout,
      memorySize: args.memorySize,
      environment: { variables: { ...args.environment, NODE_OPTIONS: SOURCE_MAP_NODE_OPTIONS } },
      loggingConfig: {
        logFormat: "JSON",
        logGroup: fn.logGroup.name,
        applicationLogLevel: "INFO",
        systemLogLevel: "WARN",
      },
    },
    // The policy must exist before the first invocation can log or reach its resources.
    { ...parent, dependsOn: [policy] },
  );
}
