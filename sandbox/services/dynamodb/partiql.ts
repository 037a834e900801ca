import { readFileSync } from "node:fs";
import type { EngineAnswer } from "./engine";

/** DynamoDB's PartiQL operations, which the sandbox does not implement. */
export const partiqlOperations = new Set(["ExecuteStatement", "BatchExecuteStatement", "ExecuteTransaction"]);

/** The answer to a PartiQL call: DynamoDB's error shape, saying what to use instead. */
export function partiqlRefusal(operation: string): EngineAnswer {
  return {
    status: 400,
    body: {
      __type: "com.amazon.coral.service#UnknownOperationException",
      message: `The sandbox's DynamoDB does not implement PartiQL (${operation}); use GetItem, PutItem, UpdateItem, DeleteItem, Query, Scan or the Transact* operations`,
    },
  };
}

/** Whether a function's code calls PartiQL: its bundle names one of the operations' commands. */
export function callsPartiql(codeFiles: string[]): string | undefined {
  for (const file of codeFiles) {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch {
      continue;
    }
    for (const operation of partiqlOperations) if (text.includes(`${operation}Command`) || text.includes(`"${operation}"`)) return operation;
  }
  return undefined;
}
