import type { ResourceTypeSupport } from "../../model/resource-type";

export const dynamodbResourceTypes: ResourceTypeSupport[] = [
  {
    type: "aws:dynamodb/table:Table",
    coverage: "emulated",
    honoured: [
      "attributes",
      "hashKey",
      "rangeKey",
      "billingMode",
      "readCapacity",
      "writeCapacity",
      "globalSecondaryIndexes",
      "localSecondaryIndexes",
      "streamEnabled",
      "streamViewType",
      "ttl",
    ],
    noLocalEffect: [
      "pointInTimeRecovery",
      "deletionProtectionEnabled",
      "serverSideEncryption",
      "tableClass",
      "onDemandThroughput",
      "warmThroughput",
    ],
    meaning: {
      replicas: "one local table, no replicas",
    },
    state: ({ physical, arn, created }) => ({
      id: physical,
      state: {
        name: physical,
        arn: arn("dynamodb", `table/${physical}`),
        streamArn: created.streamArn ?? "",
        streamLabel: created.streamLabel ?? "",
      },
    }),
    describe: (table) => {
      const extras = [
        table.inputs.streamEnabled ? `stream ${String(table.inputs.streamViewType)}` : undefined,
        (table.inputs.ttl as { enabled?: boolean; attributeName?: string } | undefined)?.enabled
          ? `TTL on ${(table.inputs.ttl as { attributeName: string }).attributeName}, swept every second`
          : undefined,
      ].filter(Boolean);
      return `table     ${table.state.name}  (${table.name}; data kept on disk${extras.map((extra) => `; ${extra}`).join("")})`;
    },
  },
];
