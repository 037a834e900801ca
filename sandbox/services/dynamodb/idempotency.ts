import { errorAnswer, type EngineAnswer, type Json } from "./engine";

/** A ClientRequestToken is honoured for 10 minutes after the request that used it completed. */
const tokenLifetimeMs = 10 * 60 * 1000;

/**
 * TransactWriteItems' ClientRequestToken: a repeat of a completed request within 10 minutes gets
 * the same answer without being applied again; the same token with other parameters is refused.
 */
export class IdempotencyTokens {
  private readonly completed = new Map<string, { fingerprint: string; answer: EngineAnswer; until: number }>();

  lookup(token: string, body: Json): EngineAnswer | undefined {
    this.forgetExpired();
    const earlier = this.completed.get(token);
    if (!earlier) return undefined;
    if (earlier.fingerprint !== fingerprint(body)) {
      return errorAnswer(
        "IdempotentParameterMismatchException",
        "Request parameters do not match the parameters of a previous request with the same client token",
      );
    }
    return earlier.answer;
  }

  remember(token: string, body: Json, answer: EngineAnswer): void {
    this.completed.set(token, { fingerprint: fingerprint(body), answer, until: Date.now() + tokenLifetimeMs });
  }

  private forgetExpired(): void {
    const now = Date.now();
    for (const [token, entry] of this.completed) if (entry.until < now) this.completed.delete(token);
  }
}

function fingerprint(body: Json): string {
  const { ClientRequestToken: _token, ReturnConsumedCapacity: _capacity, ...rest } = body;
  return JSON.stringify(rest);
}
