import * as db from "dynalite/db";
import type { AttributeMap, Store, SubDb, TableRecord } from "dynalite/db";
import { errorAnswer, type DynamoEngine, type EngineAnswer, type Json } from "./engine";
import type { StreamLog } from "./streams";
import { IdempotencyTokens } from "./idempotency";

/** TransactWriteItems and TransactGetItems take at most 100 actions, 4 MB of items in all. */
const maxActions = 100;
const maxTransactionBytes = 4 * 1024 * 1024;

type WriteKind = "Put" | "Update" | "Delete" | "ConditionCheck";
const writeKinds: WriteKind[] = ["ConditionCheck", "Put", "Delete", "Update"];
/** The single-item operation whose validation and effect each kind shares. */
const operationOf: Record<WriteKind, string> = { Put: "PutItem", Update: "UpdateItem", Delete: "DeleteItem", ConditionCheck: "DeleteItem" };

interface Action {
  kind: WriteKind | "Get";
  operation: string;
  data: Json;
  returnOldOnFailure: boolean;
  table: TableRecord;
  key: string;
}

interface Reason {
  Code: string;
  Message?: string;
  Item?: AttributeMap;
}

interface Staged {
  table: TableRecord;
  key: string;
  before?: AttributeMap;
  after?: AttributeMap;
  changed: boolean;
}

/**
 * Transactions around dynalite: every item's lock is taken (the same per-item locks dynalite's own
 * PutItem, UpdateItem and DeleteItem take, so a concurrent single-item write waits or goes first),
 * each action runs against the current items without writing (conditions, update expressions and
 * validation exactly as the single-item operation evaluates them), and only if all succeed are the
 * new items and their index entries written in one LevelDB batch: all or nothing, and never seen half.
 */
export class Transactions {
  private readonly tokens = new IdempotencyTokens();

  constructor(
    private readonly engine: DynamoEngine,
    private readonly streams: StreamLog,
  ) {}

  async write(body: Json): Promise<EngineAnswer> {
    const items = body.TransactItems;
    const shape = checkList(items);
    if (shape) return shape;
    const token = typeof body.ClientRequestToken === "string" ? body.ClientRequestToken : undefined;
    if (token) {
      const earlier = this.tokens.lookup(token, body);
      if (earlier) return earlier;
    }
    const parsed = await this.parse(items as Json[], "write");
    if ("status" in parsed) return parsed;
    const { actions, reasons } = parsed;
    const answer = await this.underLocks(actions, async () => {
      const staged: Array<Staged | undefined> = [];
      for (const [position, action] of actions.entries()) {
        if (reasons[position].Code !== "None") {
          staged.push(undefined);
          continue;
        }
        const outcome = await this.dryRun(action);
        if ("reason" in outcome) reasons[position] = outcome.reason;
        staged.push(outcome.staged);
      }
      if (reasons.some((reason) => reason.Code !== "None")) return cancelled(reasons);
      const changes = staged.filter((change): change is Staged => !!change?.changed);
      await this.commit(changes);
      for (const change of changes) this.streams.append(change.table.TableName, change.before, change.after);
      const result: Json = {};
      if (body.ReturnConsumedCapacity === "TOTAL" || body.ReturnConsumedCapacity === "INDEXES")
        result.ConsumedCapacity = consumed(actions, staged, false);
      return { status: 200, body: result };
    });
    if (token && answer.status === 200) this.tokens.remember(token, body, answer);
    return answer;
  }

  async get(body: Json): Promise<EngineAnswer> {
    const items = body.TransactItems;
    const shape = checkList(items);
    if (shape) return shape;
    const parsed = await this.parse(items as Json[], "get");
    if ("status" in parsed) return parsed;
    const { actions, reasons } = parsed;
    if (reasons.some((reason) => reason.Code !== "None")) return cancelled(reasons);
    return this.underLocks(actions, async () => {
      const responses: Json[] = [];
      for (const action of actions) {
        const answer = await this.engine.run("GetItem", action.data);
        if (answer.status !== 200) return answer;
        responses.push(answer.body.Item ? { Item: answer.body.Item } : {});
      }
      const result: Json = { Responses: responses };
      if (body.ReturnConsumedCapacity === "TOTAL" || body.ReturnConsumedCapacity === "INDEXES")
        result.ConsumedCapacity = consumed(actions, [], true);
      return { status: 200, body: result };
    });
  }

  /** Request-level checks (an error answer), then each action's table, key and per-action validation. */
  private async parse(items: Json[], mode: "write" | "get"): Promise<{ actions: Action[]; reasons: Reason[] } | EngineAnswer> {
    const actions: Action[] = [];
    const reasons: Reason[] = [];
    const seen = new Set<string>();
    let bytes = 0;
    for (const entry of items) {
      const kinds = mode === "get" ? (["Get"] as const).filter((kind) => entry?.[kind]) : writeKinds.filter((kind) => entry?.[kind]);
      if (kinds.length !== 1) {
        return errorAnswer(
          "ValidationException",
          mode === "get" ? "TransactItems must contain one Get" : "TransactItems can only contain one of Check, Put, Update or Delete",
        );
      }
      const kind = kinds[0];
      const request = { ...(entry[kind] as Json) };
      const returnOldOnFailure = request.ReturnValuesOnConditionCheckFailure === "ALL_OLD";
      delete request.ReturnValuesOnConditionCheckFailure;
      const operation = kind === "Get" ? "GetItem" : operationOf[kind];
      if (kind === "ConditionCheck" && typeof request.ConditionExpression !== "string") {
        return errorAnswer(
          "ValidationException",
          "1 validation error detected: Value null at 'transactItems.1.member.conditionCheck.conditionExpression' failed to satisfy constraint: Member must not be null",
        );
      }
      const checked = this.engine.validate(operation, request);
      if ("error" in checked) return checked.error;
      const found = await this.table(String(request.TableName));
      if ("error" in found) return found.error;
      const { table } = found;
      const keySource = (kind === "Put" ? checked.data.Item : checked.data.Key) as AttributeMap;
      const invalid = kind === "Put" ? undefined : db.validateKey(keySource, table);
      const key = invalid ? `invalid-${actions.length}` : db.createKey(keySource, table);
      const identity = `${table.TableName}\u0000${key}`;
      if (!invalid && seen.has(identity))
        return errorAnswer("ValidationException", "Transaction request cannot include multiple operations on one item");
      seen.add(identity);
      if (kind === "Put") bytes += db.itemSize(checked.data.Item as AttributeMap);
      actions.push({ kind, operation, data: checked.data, returnOldOnFailure, table, key });
      reasons.push(invalid ? { Code: "ValidationError", Message: invalid.body?.message ?? invalid.message } : { Code: "None" });
    }
    if (bytes > maxTransactionBytes) return errorAnswer("ValidationException", "Transaction request size exceeds the maximum of 4 MB");
    return { actions, reasons };
  }

  private table(name: string): Promise<{ table: TableRecord } | { error: EngineAnswer }> {
    return new Promise((resolve) => {
      this.engine.store.getTable(name, true, (error, table) => {
        if (error || !table) resolve({ error: errorAnswer("ResourceNotFoundException", "Requested resource not found") });
        else resolve({ table });
      });
    });
  }

  /**
   * Holds every item's lock while `work` runs. All locks are asked for synchronously, so two
   * transactions queue in the same order on every item they share: no deadlock.
   */
  private underLocks<T>(actions: Action[], work: () => Promise<T>): Promise<T> {
    const byTable = new Map<string, string[]>();
    for (const action of actions) {
      if (action.key.startsWith("invalid-")) continue;
      byTable.set(action.table.TableName, [...(byTable.get(action.table.TableName) ?? []), action.key]);
    }
    return new Promise<T>((resolve, reject) => {
      const releases: Array<() => void> = [];
      const releaseAll = () => releases.forEach((release) => release());
      if (byTable.size === 0) return void work().then(resolve, reject);
      for (const [tableName, keys] of byTable) {
        this.engine.store.getItemDb(tableName).lock(keys, (release) => {
          releases.push(release(() => undefined));
          if (releases.length < byTable.size) return;
          work().then(
            (value) => (releaseAll(), resolve(value)),
            (error) => (releaseAll(), reject(error)),
          );
        });
      }
    });
  }

  /** One action against the current items, writing nothing: its reason to cancel, or its staged change. */
  private async dryRun(action: Action): Promise<{ reason: Reason; staged?: undefined } | { staged: Staged }> {
    const real = this.engine.store.getItemDb(action.table.TableName);
    const before = await new Promise<AttributeMap | undefined>((resolve, reject) =>
      real.get(action.key, (error, item) => (error && error.name !== "NotFoundError" ? reject(error) : resolve(item ?? undefined))),
    );
    const failed = (): Reason => {
      const reason: Reason = { Code: "ConditionalCheckFailed", Message: "The conditional request failed" };
      if (action.returnOldOnFailure && before) reason.Item = before;
      return reason;
    };
    if (action.kind === "ConditionCheck") {
      return db.checkConditional(action.data, before)
        ? { reason: failed() }
        : { staged: { table: action.table, key: action.key, before, after: before, changed: false } };
    }
    const staged: Staged = { table: action.table, key: action.key, before, changed: false };
    const answer = await this.engine.run(
      action.operation,
      action.data,
      stagingStore(this.engine.store, action.table.TableName, before, staged),
    );
    if (answer.status === 200) return { staged };
    const type = String(answer.body.__type ?? "");
    if (type.endsWith("#ConditionalCheckFailedException")) return { reason: failed() };
    return { reason: { Code: "ValidationError", Message: String(answer.body.message ?? answer.body.Message ?? "") } };
  }

  /** The staged items and their index entries, in one atomic LevelDB batch. */
  private commit(changes: Staged[]): Promise<void> {
    const operations: Array<{ type: "put" | "del"; key: string; value?: unknown }> = [];
    for (const change of changes) {
      const { table } = change;
      for (const indexType of ["Local", "Global"] as const) {
        const indexes = table[`${indexType}SecondaryIndexes`] ?? [];
        const { puts, deletes } = db.getIndexActions(indexes, change.before, change.after, table);
        // The prefixes dynalite's sub-databases give their keys (db/index.js, getSubDb).
        const prefix = (index: string) => `index-${indexType.toLowerCase()}~${table.TableName}~${index}~`;
        for (const removal of deletes) operations.push({ type: "del", key: prefix(removal.index) + removal.key });
        for (const put of puts) operations.push({ type: "put", key: prefix(put.index) + put.key, value: put.item });
      }
      const itemKey = `item-${table.TableName}~${change.key}`;
      operations.push(change.after ? { type: "put", key: itemKey, value: change.after } : { type: "del", key: itemKey });
    }
    if (operations.length === 0) return Promise.resolve();
    return new Promise((resolve, reject) => this.engine.store.db.batch(operations, (error) => (error ? reject(error) : resolve())));
  }
}

/**
 * A store on which dynalite's PutItem, UpdateItem or DeleteItem runs as usual but writes nothing:
 * the item it would write is kept in `staged`. The item's lock is already held by the transaction.
 */
function stagingStore(store: Store, tableName: string, before: AttributeMap | undefined, staged: Staged): Store {
  const real = store.getItemDb(tableName);
  const items: SubDb = {
    ...real,
    lock: ((_key: string | string[], exec: (release: (done?: (...args: unknown[]) => void) => (...args: unknown[]) => void) => void) =>
      exec(
        (done) =>
          (...args: unknown[]) =>
            done?.(...args),
      )) as SubDb["lock"],
    get: (_key, callback) => callback(null, before),
    put: (_key, value, callback) => {
      staged.after = value as AttributeMap;
      staged.changed = true;
      callback(null);
    },
    del: (_key, callback) => {
      staged.after = undefined;
      staged.changed = before !== undefined;
      callback(null);
    },
  };
  const noIndexWrites = {
    put: (_key: string, _value: unknown, callback: () => void) => callback(),
    del: (_key: string, callback: () => void) => callback(),
  };
  return { ...store, getItemDb: () => items, getIndexDb: () => noIndexWrites as unknown as SubDb };
}

function checkList(items: unknown): EngineAnswer | undefined {
  if (!Array.isArray(items) || items.length < 1) {
    return errorAnswer(
      "ValidationException",
      `1 validation error detected: Value '${Array.isArray(items) ? "[]" : "null"}' at 'transactItems' failed to satisfy constraint: Member must have length greater than or equal to 1`,
    );
  }
  if (items.length > maxActions) {
    return errorAnswer(
      "ValidationException",
      `1 validation error detected: Value '${JSON.stringify(items)}' at 'transactItems' failed to satisfy constraint: Member must have length less than or equal to ${maxActions}`,
    );
  }
  return undefined;
}

/** TransactionCanceledException: one reason per action, in the request's order ("None" for those that would have succeeded). */
function cancelled(reasons: Reason[]): EngineAnswer {
  return errorAnswer(
    "TransactionCanceledException",
    `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.map((reason) => reason.Code).join(", ")}]`,
    { CancellationReasons: reasons },
  );
}

/** Transactions cost twice the capacity of the same reads or writes. */
function consumed(actions: Action[], staged: Array<Staged | undefined>, isRead: boolean): Json[] {
  const byTable = new Map<string, number>();
  actions.forEach((action, position) => {
    const item = staged[position]?.after ?? staged[position]?.before;
    const size = item ? db.itemSize(item) : 0;
    const units = isRead ? Math.max(1, Math.ceil(size / 4096)) * 2 : Math.max(1, Math.ceil(size / 1024)) * 2;
    byTable.set(action.table.TableName, (byTable.get(action.table.TableName) ?? 0) + units);
  });
  return [...byTable].map(([TableName, CapacityUnits]) => ({ TableName, CapacityUnits }));
}
