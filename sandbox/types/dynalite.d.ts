// dynalite ships no types. The sandbox drives its store, validations and actions in-process (see
// sandbox/services/dynamodb/engine.ts), so these describe the internals it relies on.
declare module "dynalite" {
  import type { Server } from "node:http";
  interface DynaliteOptions {
    path?: string;
    createTableMs?: number;
    deleteTableMs?: number;
    updateTableMs?: number;
    maxItemSizeKb?: number;
  }
  function dynalite(options?: DynaliteOptions): Server;
  export default dynalite;
}

declare module "dynalite/db" {
  export type Callback<T = unknown> = (error: DynaliteError | null | undefined, value?: T) => void;
  export interface DynaliteError extends Error {
    statusCode?: number;
    body?: { __type: string; message?: string; Message?: string; [field: string]: unknown };
  }
  export type AttributeMap = Record<string, Record<string, unknown>>;
  export interface KeySchemaElement {
    AttributeName: string;
    KeyType: "HASH" | "RANGE";
  }
  export interface TableRecord {
    TableName: string;
    TableArn: string;
    TableStatus: string;
    KeySchema: KeySchemaElement[];
    AttributeDefinitions: Array<{ AttributeName: string; AttributeType: string }>;
    LocalSecondaryIndexes?: Array<{ IndexName: string; KeySchema: KeySchemaElement[] }>;
    GlobalSecondaryIndexes?: Array<{ IndexName: string; KeySchema: KeySchemaElement[] }>;
    CreationDateTime: number;
    [field: string]: unknown;
  }
  export interface SubDb {
    get(key: string, callback: Callback<AttributeMap>): void;
    put(key: string, value: unknown, callback: Callback): void;
    del(key: string, callback: Callback): void;
    createValueStream(options?: Record<string, unknown>): NodeJS.ReadableStream;
    lock: {
      (key: string | string[], exec: (release: (done?: (...args: unknown[]) => void) => (...args: unknown[]) => void) => void): void;
    };
  }
  export interface Store {
    options: { maxItemSize: number; [option: string]: unknown };
    db: {
      batch(operations: Array<{ type: "put" | "del"; key: string; value?: unknown }>, callback: Callback): void;
      put(key: string, value: unknown, callback: Callback): void;
      del(key: string, callback: Callback): void;
      iterator(options: Record<string, unknown>): AsyncIterable<[string, unknown]>;
    };
    tableDb: SubDb;
    getItemDb(name: string): SubDb;
    getIndexDb(indexType: string, tableName: string, indexName: string): SubDb;
    getTable(name: string, checkStatus: boolean, callback: Callback<TableRecord>): void;
    getTable(name: string, callback: Callback<TableRecord>): void;
    lifecycleManager?: { gracefulClose(callback: (error?: Error) => void): void };
  }
  export function create(options: Record<string, unknown>): Store;
  export function createKey(item: AttributeMap, table: TableRecord, keySchema?: KeySchemaElement[]): string;
  export function validateKey(key: AttributeMap, table: TableRecord): DynaliteError | null | undefined;
  export function checkConditional(data: Record<string, unknown>, existing: AttributeMap | undefined): DynaliteError | null | undefined;
  export function itemSize(item: AttributeMap): number;
  export function validationError(message: string): DynaliteError;
  export function getIndexActions(
    indexes: Array<{ IndexName: string; KeySchema: KeySchemaElement[] }>,
    existing: AttributeMap | undefined,
    item: AttributeMap | undefined,
    table: TableRecord,
  ): { puts: Array<{ index: string; key: string; item: AttributeMap }>; deletes: Array<{ index: string; key: string }> };
  export function mapPaths(paths: unknown, item: AttributeMap): AttributeMap;
}

declare module "dynalite/validations" {
  export interface ActionValidation {
    types: Record<string, unknown>;
    custom?: (data: Record<string, unknown>, store: unknown) => string | undefined;
  }
  export function checkTypes(data: Record<string, unknown>, types: Record<string, unknown>): Record<string, unknown>;
  export function checkValidations(
    data: Record<string, unknown>,
    types: Record<string, unknown>,
    custom: ActionValidation["custom"],
    store: unknown,
  ): void;
  export function toLowerFirst(name: string): string;
}
