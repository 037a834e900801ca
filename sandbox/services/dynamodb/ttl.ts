import type { AttributeMap, Store } from "dynalite/db";
import { errorAnswer, type DynamoEngine, type EngineAnswer, type Json } from "./engine";

export interface TimeToLive {
  attributeName: string;
}

/** Items whose TTL lies more than five years in the past are never deleted by DynamoDB. */
const fiveYearsSeconds = 5 * 365 * 24 * 60 * 60;
/** Where each table's TTL setting is kept in dynalite's LevelDB, beside (not inside) its table records. */
const settingsPrefix = "sandbox-ttl~";

/**
 * Time to live: UpdateTimeToLive / DescribeTimeToLive, kept per table on disk, and a sweeper that
 * deletes expired items. AWS deletes them within a few days of expiry; the sandbox sweeps every
 * `sweepEveryMs` (one second by default), so an expired item is gone within about a second (on a
 * table large enough that a sweep takes longer, within ten times that sweep's duration). Each
 * deletion is conditional on the TTL value being unchanged (an item renewed meanwhile stays) and is
 * a service deletion: its stream record carries `userIdentity` dynamodb.amazonaws.com.
 */
export class TimeToLiveSweeper {
  private readonly settings = new Map<string, TimeToLive>();
  private timer?: NodeJS.Timeout;
  private sweeping?: Promise<void>;
  private stopped = false;

  constructor(
    private readonly engine: DynamoEngine,
    /** Deletes one expired item as the service (its stream record says so). */
    private readonly deleteExpired: (request: Json) => Promise<EngineAnswer>,
    private readonly sweepEveryMs = 1_000,
  ) {}

  /** Reads the TTL settings kept on disk and starts sweeping. */
  async start(): Promise<void> {
    for (const [key, value] of await readPrefix(this.engine.store, settingsPrefix)) {
      this.settings.set(key.slice(settingsPrefix.length), value as TimeToLive);
    }
    this.schedule(this.sweepEveryMs);
  }

  /** The next sweep; a long one (a big table) is followed by a pause nine times as long, so sweeping takes at most a tenth of the time. */
  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      const started = Date.now();
      this.sweeping = this.sweep()
        .catch(() => undefined)
        .finally(() => {
          this.sweeping = undefined;
          this.schedule(Math.max(this.sweepEveryMs, 9 * (Date.now() - started)));
        });
    }, delayMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.sweeping;
  }

  async update(body: Json): Promise<EngineAnswer> {
    const spec = body.TimeToLiveSpecification as { Enabled?: unknown; AttributeName?: unknown } | undefined;
    const tableName = String(body.TableName ?? "");
    if (!spec || typeof spec.Enabled !== "boolean" || typeof spec.AttributeName !== "string") {
      return errorAnswer(
        "ValidationException",
        "1 validation error detected: Value null at 'timeToLiveSpecification' failed to satisfy constraint: Member must not be null",
      );
    }
    if (spec.AttributeName.length < 1 || spec.AttributeName.length > 255) {
      return errorAnswer(
        "ValidationException",
        `1 validation error detected: Value '${spec.AttributeName}' at 'timeToLiveSpecification.attributeName' failed to satisfy constraint: Member must have length ${spec.AttributeName.length < 1 ? "greater than or equal to 1" : "less than or equal to 255"}`,
      );
    }
    const missing = await this.missingTable(tableName);
    if (missing) return missing;
    const current = this.settings.get(tableName);
    if (spec.Enabled && current) return errorAnswer("ValidationException", "TimeToLive is already enabled");
    if (!spec.Enabled && !current) return errorAnswer("ValidationException", "TimeToLive is already disabled");
    if (!spec.Enabled && current && current.attributeName !== spec.AttributeName) {
      return errorAnswer(
        "ValidationException",
        `TimeToLive is active on a different AttributeName: current AttributeName is ${current.attributeName}`,
      );
    }
    await this.set(tableName, spec.Enabled ? { attributeName: spec.AttributeName } : undefined);
    return { status: 200, body: { TimeToLiveSpecification: { Enabled: spec.Enabled, AttributeName: spec.AttributeName } } };
  }

  async describe(body: Json): Promise<EngineAnswer> {
    const tableName = String(body.TableName ?? "");
    const missing = await this.missingTable(tableName);
    if (missing) return missing;
    const current = this.settings.get(tableName);
    return {
      status: 200,
      body: {
        TimeToLiveDescription: current
          ? { TimeToLiveStatus: "ENABLED", AttributeName: current.attributeName }
          : { TimeToLiveStatus: "DISABLED" },
      },
    };
  }

  /** A deleted table takes its TTL setting with it. */
  async forget(tableName: string): Promise<void> {
    if (this.settings.has(tableName)) await this.set(tableName, undefined);
  }

  private async set(tableName: string, setting: TimeToLive | undefined): Promise<void> {
    const key = settingsPrefix + tableName;
    const store = this.engine.store;
    await new Promise<void>((resolve, reject) => {
      const done = (error?: Error | null) => (error ? reject(error) : resolve());
      if (setting) store.db.put(key, setting, done);
      else store.db.del(key, done);
    });
    if (setting) this.settings.set(tableName, setting);
    else this.settings.delete(tableName);
  }

  private missingTable(tableName: string): Promise<EngineAnswer | undefined> {
    return new Promise((resolve) =>
      this.engine.store.getTable(tableName, false, (error) =>
        resolve(
          error ? errorAnswer("ResourceNotFoundException", `Requested resource not found: Table: ${tableName} not found`) : undefined,
        ),
      ),
    );
  }

  /** One pass over every table with TTL: each expired item is deleted unless renewed meanwhile. */
  async sweep(): Promise<void> {
    const now = Math.floor(Date.now() / 1000);
    for (const [tableName, { attributeName }] of this.settings) {
      let startKey: Json | undefined;
      do {
        const page = await this.engine.call("Scan", {
          TableName: tableName,
          FilterExpression: "#ttl < :now AND #ttl > :oldest",
          ExpressionAttributeNames: { "#ttl": attributeName },
          ExpressionAttributeValues: { ":now": { N: String(now) }, ":oldest": { N: String(now - fiveYearsSeconds) } },
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        });
        if (page.status !== 200) break;
        const table = await this.keyNames(tableName);
        for (const item of (page.body.Items as AttributeMap[] | undefined) ?? []) {
          const key: AttributeMap = {};
          for (const name of table) key[name] = item[name];
          // Conditional: an item whose TTL was renewed (or that is gone) since the scan stays as it is.
          await this.deleteExpired({
            TableName: tableName,
            Key: key,
            ConditionExpression: "#ttl = :expired",
            ExpressionAttributeNames: { "#ttl": attributeName },
            ExpressionAttributeValues: { ":expired": item[attributeName] },
          });
        }
        startKey = page.body.LastEvaluatedKey as Json | undefined;
      } while (startKey);
    }
  }

  private keyNames(tableName: string): Promise<string[]> {
    return new Promise((resolve) =>
      this.engine.store.getTable(tableName, false, (error, table) =>
        resolve(error || !table ? [] : table.KeySchema.map((key) => key.AttributeName)),
      ),
    );
  }
}

async function readPrefix(store: Store, prefix: string): Promise<Array<[string, unknown]>> {
  const entries: Array<[string, unknown]> = [];
  for await (const entry of store.db.iterator({ gte: prefix, lt: `${prefix}\xff` })) entries.push(entry as [string, unknown]);
  return entries;
}
