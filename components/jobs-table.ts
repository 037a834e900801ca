import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { CITY_INDEX_NAME, jobsTableArgs, type JobsTableArgs } from "./jobs-table-args";

/**
 * The jobs table: one item per (id, city); created once and handed to both components. DynamoDB
 * encrypts every table at rest already; a customer-managed key would add cost and nothing here.
 */
export class JobsTable extends pulumi.ComponentResource {
  readonly table: aws.dynamodb.Table;
  readonly name: pulumi.Output<string>;
  readonly arn: pulumi.Output<string>;
  readonly cityIndexName = CITY_INDEX_NAME;

  constructor(name: string, args: JobsTableArgs = {}, opts?: pulumi.ComponentResourceOptions) {
    super("job-offers:data:JobsTable", name, {}, opts);
    this.table = createTable(name, args, this);
    this.name = this.table.name;
    this.arn = this.table.arn;
    this.registerOutputs({ name: this.name, arn: this.arn });
  }
}

function createTable(name: string, args: JobsTableArgs, parent: pulumi.Resource): aws.dynamodb.Table {
  const protectData = args.protectData ?? false;
  return new aws.dynamodb.Table(name, jobsTableArgs(args), { parent, protect: protectData, retainOnDelete: protectData });
}
