/**
 * The `--faults` language: rules separated by `;`, each `<target>:<kind>=<rate>`.
 *
 *   <function>:error=<rate>     the invocation fails before its handler runs
 *   <function>:timeout=<rate>   the invocation runs past its timeout
 *   <function>:crash=<rate>     the runtime dies a third of the way through the timeout, or as the handler returns
 *   dynamodb:throttle=<rate>    DynamoDB item calls answer ProvisionedThroughputExceededException
 *   sqs:send-fail=<rate>        SendMessageBatch entries come back in `Failed`
 *
 * A function is named by its function name or its logical name in the program.
 */
export type FaultKind = "error" | "timeout" | "crash" | "throttle" | "send-fail";

export interface FaultRule {
  readonly target: string;
  readonly kind: FaultKind;
  /** Probability, from 0 to 1, that one call (invocation, request, batch entry) is hit. */
  readonly rate: number;
}

const SERVICE_KINDS: Readonly<Record<string, FaultKind>> = { dynamodb: "throttle", sqs: "send-fail" };
const FUNCTION_KINDS = new Set<FaultKind>(["error", "timeout", "crash"]);
const RULE = /^([^:=\s]+):([a-z-]+)=(\S+)$/;
const EXAMPLE = 'e.g. --faults "ingest-sqs-to-dynamo:error=0.3; dynamodb:throttle=0.2"';

export class FaultRuleError extends Error {
  override name = "Error";
}

export function parseFaultRules(text: string): FaultRule[] {
  const rules: FaultRule[] = [];
  for (const part of text
    .split(";")
    .map((piece) => piece.trim())
    .filter(Boolean)) {
    const match = RULE.exec(part);
    if (!match) throw new FaultRuleError(`fault rule '${part}' is not <target>:<kind>=<rate> (${EXAMPLE})`);
    const [, target, kind, rateText] = match;
    const rate = Number(rateText);
    if (!/^\d*\.?\d+$/.test(rateText) || !(rate >= 0 && rate <= 1)) {
      throw new FaultRuleError(`fault rule '${part}': the rate must be a number from 0 to 1, not '${rateText}'`);
    }
    const serviceKind = SERVICE_KINDS[target];
    if (serviceKind !== undefined && kind !== serviceKind) {
      throw new FaultRuleError(`fault rule '${part}': ${target} takes only ${serviceKind}=<rate>`);
    }
    if (serviceKind === undefined && !FUNCTION_KINDS.has(kind as FaultKind)) {
      throw new FaultRuleError(
        `fault rule '${part}': a function takes error=<rate>, timeout=<rate> or crash=<rate>` +
          (kind === "throttle" || kind === "send-fail" ? ` (${kind} belongs to ${kind === "throttle" ? "dynamodb" : "sqs"})` : ""),
      );
    }
    if (rules.some((rule) => rule.target === target && rule.kind === kind)) {
      throw new FaultRuleError(`fault rule '${part}': ${target}:${kind} is given twice`);
    }
    rules.push({ target, kind: kind as FaultKind, rate });
  }
  return rules;
}

export function isFunctionRule(rule: FaultRule): boolean {
  return FUNCTION_KINDS.has(rule.kind);
}
