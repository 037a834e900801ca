import { ConditionalCheckFailedException, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, ScanCommand } from "@aws-sdk/lib-dynamodb";
import type { Job } from "./schema";

/** Attribute that holds the write's version; never part of a job as users see it. */
export const VERSION_ATTRIBUTE = "_version";

export type JobKey = { id: string; city: string };

export interface JobPage {
  items: Job[];
  /** The key to continue from, or undefined on the last page. */
  lastKey?: Record<string, unknown>;
}

/** The jobs table, as the handlers use it. One instance per container: clients are reused. */
export class JobStore {
  private readonly documents: DynamoDBDocumentClient;

  constructor(
    private readonly tableName: string,
    private readonly cityIndexName?: string,
    client: DynamoDBClient = new DynamoDBClient({}),
  ) {
    this.documents = DynamoDBDocumentClient.from(client, {
      marshallOptions: { removeUndefinedValues: true },
    });
  }

  /**
   * Writes the job unless the table holds the same or a newer version of it.
   * Returns "stale" when a newer (or this very) version is already there: a redelivered or
   * out-of-order message is then a success with nothing to do.
   */
  async putIfNewer(job: Job, version: string): Promise<"written" | "stale"> {
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...job, [VERSION_ATTRIBUTE]: version },
          ConditionExpression: "attribute_not_exists(#v) OR #v < :v",
          ExpressionAttributeNames: { "#v": VERSION_ATTRIBUTE },
          ExpressionAttributeValues: { ":v": version },
        }),
      );
      return "written";
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return "stale";
      throw error;
    }
  }

  /** Creates the job; "exists" when an item with the same id and city is already there. */
  async create(job: Job, version: string): Promise<"created" | "exists"> {
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...job, [VERSION_ATTRIBUTE]: version },
          ConditionExpression: "attribute_not_exists(id)",
        }),
      );
      return "created";
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return "exists";
      throw error;
    }
  }

  async get(key: JobKey): Promise<Job | undefined> {
    const { Item } = await this.documents.send(new GetCommand({ TableName: this.tableName, Key: key }));
    return Item ? toJob(Item) : undefined;
  }

  /** Every city of one id (a Query on the table's hash key). */
  async listById(id: string): Promise<Job[]> {
    const items: Job[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.documents.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: "id = :id",
          ExpressionAttributeValues: { ":id": id },
          ExclusiveStartKey: startKey,
        }),
      );
      items.push(...(page.Items ?? []).map(toJob));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return items;
  }

  /**
   * One page of jobs. With a city it is a Query on the city index (never a Scan with a filter);
   * without, a Scan. DynamoDB may return fewer items than the limit with a key to continue from.
   */
  async list(options: { city?: string; limit: number; startKey?: Record<string, unknown> }): Promise<JobPage> {
    const common = { TableName: this.tableName, Limit: options.limit, ExclusiveStartKey: options.startKey };
    if (options.city !== undefined) {
      if (!this.cityIndexName) throw new Error("JobStore: listing by city needs the city index name");
      const page = await this.documents.send(
        new QueryCommand({
          ...common,
          IndexName: this.cityIndexName,
          KeyConditionExpression: "city = :city",
          ExpressionAttributeValues: { ":city": options.city },
        }),
      );
      return { items: (page.Items ?? []).map(toJob), lastKey: page.LastEvaluatedKey };
    }
    const page = await this.documents.send(new ScanCommand(common));
    return { items: (page.Items ?? []).map(toJob), lastKey: page.LastEvaluatedKey };
  }

  /** Deletes the job; false when there was none. */
  async delete(key: JobKey): Promise<boolean> {
    try {
      await this.documents.send(new DeleteCommand({ TableName: this.tableName, Key: key, ConditionExpression: "attribute_exists(id)" }));
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}

function toJob(item: Record<string, unknown>): Job {
  const { [VERSION_ATTRIBUTE]: _version, ...job } = item;
  return job as Job;
}
