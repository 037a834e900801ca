import type { FunctionSpec } from "../../model/function-spec";
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

/**
 * What start says of a function whose code calls PartiQL (its deployed files name one of the
 * operations' commands): those calls will fail here. Bundles carry only the commands they use.
 */
export function partiqlNote(spec: Pick<FunctionSpec, "logicalName" | "files">): string | undefined {
  for (const text of Object.values(spec.files)) {
    for (const operation of partiqlOperations) {
      if (text.includes(`${operation}Command`)) {
        return `${spec.logicalName}: its code calls DynamoDB PartiQL (${operation}), which the sandbox's DynamoDB does not implement: those calls fail with UnknownOperationException`;
      }
    }
  }
  return undefined;
}
