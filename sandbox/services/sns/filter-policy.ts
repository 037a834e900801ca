/**
 * SNS subscription filter policies, as SNS evaluates them: every key of the policy must match (an
 * array of conditions matches when one does), `$or` offers alternatives, and a policy on the
 * message body matches nested keys of a JSON message. Conditions: exact strings and numbers,
 * `prefix`, `suffix`, `equals-ignore-case`, `anything-but` (values or a prefix), `numeric`
 * ranges, `exists`.
 */

type Policy = Record<string, unknown>;
type Condition = unknown;

/** A message attribute as SNS receives it: its type and value. */
export interface MessageAttribute {
  Type: string;
  Value: string;
}

/** Whether a message passes the policy; a missing policy lets everything through. */
export function passesFilterPolicy(
  policyJson: string | undefined,
  scope: string | undefined,
  message: string,
  attributes: Record<string, MessageAttribute>,
): boolean {
  if (!policyJson) return true;
  const policy = JSON.parse(policyJson) as Policy;
  if (scope === "MessageBody") {
    let body: unknown;
    try {
      body = JSON.parse(message);
    } catch {
      return false;
    }
    return matchesObject(policy, body);
  }
  const values: Record<string, unknown> = {};
  for (const [name, attribute] of Object.entries(attributes)) values[name] = attributeValue(attribute);
  return matchesObject(policy, values);
}

/** String.Array attributes match when any element does; numbers compare as numbers. */
function attributeValue(attribute: MessageAttribute): unknown {
  if (attribute.Type === "Number") return Number(attribute.Value);
  if (attribute.Type === "String.Array") {
    try {
      return JSON.parse(attribute.Value);
    } catch {
      return attribute.Value;
    }
  }
  return attribute.Value;
}

function matchesObject(policy: Policy, value: unknown): boolean {
  return Object.entries(policy).every(([key, rule]) => {
    if (key === "$or") return Array.isArray(rule) && rule.some((alternative) => matchesObject(alternative as Policy, value));
    const present = value !== null && typeof value === "object" && key in (value as object);
    const field = present ? (value as Record<string, unknown>)[key] : undefined;
    if (rule !== null && typeof rule === "object" && !Array.isArray(rule)) return present && matchesObject(rule as Policy, field);
    const conditions = Array.isArray(rule) ? rule : [rule];
    return conditions.some((condition) => matchesCondition(condition, field, present));
  });
}

function matchesCondition(condition: Condition, field: unknown, present: boolean): boolean {
  const candidates = Array.isArray(field) ? field : [field];
  if (condition === null || typeof condition !== "object") return present && candidates.some((value) => value === condition);
  const [operator, operand] = Object.entries(condition as Record<string, unknown>)[0] ?? [];
  switch (operator) {
    case "exists":
      return operand ? present : !present;
    case "prefix":
      return present && candidates.some((value) => typeof value === "string" && value.startsWith(String(operand)));
    case "suffix":
      return present && candidates.some((value) => typeof value === "string" && value.endsWith(String(operand)));
    case "equals-ignore-case":
      return present && candidates.some((value) => typeof value === "string" && value.toLowerCase() === String(operand).toLowerCase());
    case "anything-but":
      return present && candidates.every((value) => !anythingButExcludes(operand, value));
    case "numeric":
      return present && candidates.some((value) => typeof value === "number" && inNumericRange(operand as unknown[], value));
    default:
      return false;
  }
}

function anythingButExcludes(operand: unknown, value: unknown): boolean {
  if (Array.isArray(operand)) return operand.includes(value);
  if (operand !== null && typeof operand === "object" && "prefix" in operand) {
    return typeof value === "string" && value.startsWith(String((operand as { prefix: unknown }).prefix));
  }
  return operand === value;
}

function inNumericRange(range: unknown[], value: number): boolean {
  for (let position = 0; position + 1 < range.length; position += 2) {
    const bound = Number(range[position + 1]);
    const ok = { "=": value === bound, "<": value < bound, "<=": value <= bound, ">": value > bound, ">=": value >= bound }[
      String(range[position])
    ];
    if (!ok) return false;
  }
  return true;
}
