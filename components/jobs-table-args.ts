import type * as aws from "@pulumi/aws";

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
 * The jobs table's arguments: one item per (id, city), the city index, capacity and protection.
 * Plain values, without the Pulumi SDK at run time, so that handler tests and benchmarks create
 * the very table the program declares (through the sandbox's provisioning).
 */
export function jobsTableArgs(args: JobsTableArgs = {}) {
  const billingMode = args.billingMode ?? "PAY_PER_REQUEST";
  // The table's and its index's: PAY_PER_REQUEST takes none.
  const capacity = billingMode === "PROVISIONED" ? { readCapacity: args.readCapacity ?? 5, writeCapacity: args.writeCapacity ?? 5 } : {};
  const protectData = args.protectData ?? false;
  return {
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
  } satisfies aws.dynamodb.TableArgs;
}
