import type { ResourceTypeSupport } from "../../model/resource-type";

export const dynamodbResourceTypes: ResourceTypeSupport[] = [
  {
    type: "aws:dynamodb/table:Table",
    coverage: "emulated",
    honoured: ["attributes", "hashKey", "rangeKey", "billingMode", "readCapacity", "writeCapacity", "globalSecondaryIndexes", "localSecondaryIndexes"],
    noLocalEffect: ["pointInTimeRecovery", "deletionProtectionEnabled", "serverSideEncryption", "tableClass", "onDemandThroughput", "warmThroughput"],
    meaning: {
      streamEnabled: "no stream: functions on the table's stream are never invoked locally",
      streamViewType: "no stream: functions on the table's stream are never invoked locally",
      ttl: "expired items are not deleted locally",
      replicas: "one local table, no replicas",
    },
    state: ({ physical, arn }) => ({ id: physical, state: { name: physical, arn: arn("dynamodb", `table/${physical}`), streamArn: "", streamLabel: "" } }),
    describe: (table) => `table     ${table.state.name}  (${table.name}; data kept on disk)`,
  },
];
