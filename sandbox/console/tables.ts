import { DescribeTableCommand, type DynamoDBClient, type KeySchemaElement } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, QueryCommand, ScanCommand } from "@aws-sdk/lib-dynamodb";
import { types, type ResourceIndex } from "../model/resource-index";
import { ApiError, decodeCursor, encodeCursor } from "./http";
import type { KeyView, TableView, ItemsPage } from "./api-types";

const keysOf = (schema: KeySchemaElement[] | undefined): KeyView => ({
  hashKey: String(schema?.find((key) => key.KeyType === "HASH")?.AttributeName),
  ...(schema?.some((key) => key.KeyType === "RANGE")
    ? { rangeKey: String(schema.find((key) => key.KeyType === "RANGE")!.AttributeName) }
    : {}),
});

/** The program's tables as DynamoDB describes them: keys, indexes, item count. */
export class TablesView {
  private readonly documents: DynamoDBDocumentClient;

  constructor(
    private readonly index: () => ResourceIndex,
    dynamo: DynamoDBClient,
  ) {
    this.documents = DynamoDBDocumentClient.from(dynamo);
  }

  async list(): Promise<TableView[]> {
    return Promise.all(
      this.index()
        .all(types.table)
        .map((table) => this.describe(String(table.state.name), table.name)),
    );
  }

  private async describe(name: string, logicalName: string): Promise<TableView> {
    const { Table } = await this.documents.send(new DescribeTableCommand({ TableName: name }));
    return {
      name,
      logicalName,
      ...keysOf(Table?.KeySchema),
      itemCount: Number(Table?.ItemCount ?? 0),
      indexes: [
        ...(Table?.GlobalSecondaryIndexes ?? []).map((index) => ({
          name: String(index.IndexName),
          kind: "global" as const,
          ...keysOf(index.KeySchema),
        })),
        ...(Table?.LocalSecondaryIndexes ?? []).map((index) => ({
          name: String(index.IndexName),
          kind: "local" as const,
          ...keysOf(index.KeySchema),
        })),
      ],
      keyTypes: Object.fromEntries(
        (Table?.AttributeDefinitions ?? []).map((attribute) => [String(attribute.AttributeName), String(attribute.AttributeType)]),
      ),
    };
  }

  private async table(name: string): Promise<TableView> {
    const table = this.index()
      .all(types.table)
      .find((candidate) => candidate.state.name === name);
    if (!table) throw new ApiError(404, `the program declares no table named '${name}'`);
    return this.describe(name, table.name);
  }

  /** A page of items in the table's scan order. */
  async items(name: string, limit: number, cursor: string | null): Promise<ItemsPage> {
    await this.table(name);
    const page = await this.documents.send(new ScanCommand({ TableName: name, Limit: limit, ExclusiveStartKey: decodeCursor(cursor) }));
    return { items: page.Items ?? [], nextCursor: encodeCursor(page.LastEvaluatedKey) };
  }

  /**
   * The items of one partition of the table or of an index (`index` empty for the table), narrowed
   * to one sort key value when given: key values are typed as the table declares them.
   */
  async query(
    name: string,
    indexName: string | null,
    hashValue: string,
    rangeValue: string | null,
    limit: number,
    cursor: string | null,
  ): Promise<ItemsPage> {
    const table = await this.table(name);
    const keys = indexName ? table.indexes.find((index) => index.name === indexName) : table;
    if (!keys)
      throw new ApiError(
        404,
        `table ${name} has no index '${indexName}' (it has ${table.indexes.map((index) => index.name).join(", ") || "none"})`,
      );
    const typed = (attribute: string, value: string) => {
      if (table.keyTypes[attribute] !== "N") return value;
      const number = Number(value);
      if (!Number.isFinite(number)) throw new ApiError(400, `${attribute} is a number key: '${value}' is not a number`);
      return number;
    };
    const values: Record<string, unknown> = { ":hash": typed(keys.hashKey, hashValue) };
    let condition = "#hash = :hash";
    const names: Record<string, string> = { "#hash": keys.hashKey };
    if (rangeValue !== null && rangeValue !== "") {
      if (!keys.rangeKey) throw new ApiError(400, `${indexName ?? name} has no sort key: query by ${keys.hashKey} alone`);
      condition += " AND #range = :range";
      names["#range"] = keys.rangeKey;
      values[":range"] = typed(keys.rangeKey, rangeValue);
    }
    const page = await this.documents.send(
      new QueryCommand({
        TableName: name,
        ...(indexName ? { IndexName: indexName } : {}),
        KeyConditionExpression: condition,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        Limit: limit,
        ExclusiveStartKey: decodeCursor(cursor),
      }),
    );
    return { items: page.Items ?? [], nextCursor: encodeCursor(page.LastEvaluatedKey) };
  }
}
