import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface JobsTableArgs {
  /** PAY_PER_REQUEST (default) or PROVISIONED. */
  readonly billingMode?: "PAY_PER_REQUEST" | "PROVISIONED";
  /** Read capacity of the table and its index when PROVISIONED. Default 5. */
  readonly readCapacity?: number;
  /** Write capacity of the table and its index when PROVISIONED. Default 5. */
  readonly writeCapacity?: number;
  /**
   * Keep the data: point-in-time recovery, deletion protection, and Pulumi's `protect` and
   * `retainOnDelete`, so neither `pulumi destroy` nor a console click can lose it. Default false.
   */
  readonly protectData?: boolean;
}

/** The index that lists the jobs of one city, sorted by id. */
export const CITY_INDEX_NAME = "byCity";

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
    this.table = createTable(name, normalize(args), this);
    this.name = this.table.name;
    this.arn = this.table.arn;
    this.registerOutputs({ name: this.name, arn: this.arn });
  }
}

type Settings = ReturnType<typeof normalize>;

function createTable(name: string, settings: Settings, parent: pulumi.Resource): aws.dynamodb.Table {
  const { billingMode, capacity, protectData } = settings;
  return new aws.dynamodb.Table(
    name,
    {
      billingMode,
      ...capacity,
      hashKey: "id",
      rangeKey: "city",
      attributes: [
        { name: "id", type: "S" },
        { name: "city", type: "S" },
      ],
      globalSecondaryIndexes: [
        {
          name: CITY_INDEX_NAME,
          // keySchemas, not the deprecated hashKey/rangeKey: switching after a deploy can recreate the index.
          keySchemas: [
            { attributeName: "city", keyType: "HASH" },
            { attributeName: "id", keyType: "RANGE" },
          ],
          projectionType: "ALL",
          ...capacity,
        },
      ],
      pointInTimeRecovery: { enabled: protectData },
      deletionProtectionEnabled: protectData,
    },
    { parent, protect: protectData, retainOnDelete: protectData },
  );
}

function normalize(args: JobsTableArgs) {
  const billingMode = args.billingMode ?? "PAY_PER_REQUEST";
  // The table's and its index's: PAY_PER_REQUEST takes none.
  const capacity = billingMode === "PROVISIONED" ? { readCapacity: args.readCapacity ?? 5, writeCapacity: args.writeCapacity ?? 5 } : {};
  return { billingMode, capacity, protectData: args.protectData ?? false };
}
