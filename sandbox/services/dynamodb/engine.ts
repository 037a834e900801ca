import { mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import * as db from "dynalite/db";
import * as validations from "dynalite/validations";
import type { DynaliteError, Store } from "dynalite/db";
import type { ActionValidation } from "dynalite/validations";
import { closeDynaliteIterators } from "./close-iterators";

export type Json = Record<string, unknown>;

/** What DynamoDB answers: a status and a JSON body (an error's body has `__type`). */
export interface EngineAnswer {
  status: number;
  body: Json;
}

type Action = (store: Store, data: Json, callback: (error: DynaliteError | null, result?: Json) => void) => void;

/** The operations dynalite implements; the sandbox answers the others around it. */
export const engineOperations = [
  "BatchGetItem",
  "BatchWriteItem",
  "CreateTable",
  "DeleteItem",
  "DeleteTable",
  "DescribeTable",
  "GetItem",
  "ListTables",
  "PutItem",
  "Query",
  "Scan",
  "TagResource",
  "UntagResource",
  "ListTagsOfResource",
  "UpdateItem",
  "UpdateTable",
] as const;

/**
 * dynalite's store, validations and actions driven in-process: no HTTP between the endpoint and
 * the engine, and the sandbox can run an action against a store of its own (to see every write's
 * old and new item for streams, or to stage a transaction's writes before committing them).
 */
export class DynamoEngine {
  private readonly actions = new Map<string, Action>();
  private readonly rules = new Map<string, ActionValidation>();

  private constructor(readonly store: Store) {
    const load = createRequire(require.resolve("dynalite"));
    for (const operation of engineOperations) {
      const name = validations.toLowerFirst(operation);
      this.actions.set(operation, load(`./actions/${name}`) as Action);
      this.rules.set(operation, load(`./validations/${name}`) as ActionValidation);
    }
  }

  /** dynalite on disk, so table data survives restarts of the sandbox; in memory without a directory. */
  static start(dataDir?: string): DynamoEngine {
    closeDynaliteIterators();
    if (dataDir) mkdirSync(dataDir, { recursive: true });
    // Tables become ACTIVE at once: the deployment waits for nothing a real account would make it wait for.
    return new DynamoEngine(db.create({ ...(dataDir ? { path: dataDir } : {}), createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 }));
  }

  /** dynalite's checks of a request, as its HTTP handler runs them: the validated data, or the error to answer. */
  validate(operation: string, data: Json): { data: Json } | { error: EngineAnswer } {
    const rule = this.rules.get(operation);
    if (!rule) throw new Error(`dynalite has no ${operation}`);
    try {
      const checked = validations.checkTypes({ ...data }, rule.types);
      validations.checkValidations(checked, rule.types, rule.custom, this.store);
      return { data: checked };
    } catch (error) {
      const answer = answerOf(error as DynaliteError);
      if (!answer) throw error;
      return { error: answer };
    }
  }

  /** Runs a validated request against a store (the engine's own unless another is given). */
  run(operation: string, data: Json, store: Store = this.store): Promise<EngineAnswer> {
    const action = this.actions.get(operation)!;
    return new Promise((resolve, reject) => {
      action(store, data, (error, result) => {
        if (!error) return resolve({ status: 200, body: result ?? {} });
        const answer = answerOf(error);
        if (answer) resolve(answer);
        else reject(error);
      });
    });
  }

  async call(operation: string, data: Json, store?: Store): Promise<EngineAnswer> {
    const checked = this.validate(operation, data);
    return "error" in checked ? checked.error : this.run(operation, checked.data, store);
  }

  /** Closes LevelDB, releasing its lock on the data directory. */
  stop(): Promise<void> {
    return new Promise((resolve) => {
      if (this.store.lifecycleManager) this.store.lifecycleManager.gracefulClose(() => resolve());
      else resolve();
    });
  }
}

/** A DynamoDB error answer from one of dynalite's errors; undefined for a bug or an I/O failure. */
export function answerOf(error: DynaliteError): EngineAnswer | undefined {
  return error.statusCode && error.body ? { status: error.statusCode, body: error.body } : undefined;
}

/** DynamoDB's error body: `__type` carries the service's namespace, as dynalite and AWS answer. */
export function errorAnswer(type: string, message: string, extra: Json = {}): EngineAnswer {
  const namespace = type === "ValidationException" ? "com.amazon.coral.validate" : "com.amazonaws.dynamodb.v20120810";
  return { status: 400, body: { __type: `${namespace}#${type}`, message, ...extra } };
}
