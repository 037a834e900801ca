import { enc, get, send } from "./api";
import { byId, fill, h, pretty, table, time } from "./dom";
import type { MessageView, QueueView } from "./types";

/** Queues with their counts, each DLQ under its source; messages shown without receiving them. */
export class QueuesView {
  private open?: string;

  render(queues: QueueView[]): void {
    const rows = queues.map((queue) => [
      h(
        "span",
        { class: queue.deadLettersOf.length > 0 ? "dlq" : "" },
        queue.deadLettersOf.length > 0 ? `↳ ${queue.logicalName}` : queue.logicalName,
      ),
      h("code", {}, queue.name),
      h("span", { class: queue.deadLettersOf.length > 0 && queue.visible > 0 ? "bad" : "" }, String(queue.visible)),
      String(queue.inFlight),
      String(queue.delayed),
      queue.visible + queue.inFlight > 0 ? `${queue.oldestAgeSeconds} s` : "-",
      queue.deadLetterQueue
        ? `DLQ ${queue.deadLetterQueue.name} after ${queue.deadLetterQueue.maxReceiveCount} receives`
        : queue.deadLettersOf.length > 0
          ? `dead letters of ${queue.deadLettersOf.join(", ")}`
          : "",
      h(
        "span",
        {},
        h("button", { "data-messages": queue.name, onclick: () => void this.show(queue.name) }, "messages"),
        queue.deadLettersOf.length > 0
          ? h(
              "button",
              { "data-redrive": queue.name, disabled: queue.visible === 0, onclick: () => void this.redrive(queue.name) },
              "redrive",
            )
          : null,
      ),
    ]);
    const element = table(["queue", "local name", "visible", "in flight", "delayed", "oldest", "redrive", ""], rows, {
      id: "queues-table",
    });
    element.querySelectorAll("tbody tr").forEach((row, position) => row.setAttribute("data-queue", queues[position].name));
    fill(byId("queues"), element);
    fill(
      byId("overview-queues"),
      table(
        ["queue", "visible", "in flight", "delayed"],
        queues.map((queue) => [queue.logicalName, String(queue.visible), String(queue.inFlight), String(queue.delayed)]),
      ),
    );
  }

  async show(name: string): Promise<void> {
    this.open = name;
    const { messages, total } = await get<{ messages: MessageView[]; total: number }>(`queues/${enc(name)}/messages`);
    fill(
      byId("queue-messages"),
      h(
        "h3",
        {},
        `${name}: ${total} message(s)${total > messages.length ? `, the first ${messages.length} shown` : ""} (looked at, not received)`,
      ),
      table(
        ["message id", "state", "receives", "sent", "body"],
        messages.map((message) => [
          h("code", {}, message.messageId),
          message.state,
          String(message.receiveCount),
          time(message.sentAt),
          h("pre", { class: "body" }, pretty(message.body)),
        ]),
        { id: "messages-table" },
      ),
    );
  }

  async redrive(name: string): Promise<void> {
    const status = byId("queue-status");
    try {
      const { moved, total, to } = await send<{ moved: number; total: number; to: string }>("POST", `queues/${enc(name)}/redrive`);
      status.textContent = `moved ${moved} of ${total} message(s) from ${name} back to ${to}`;
      if (this.open === name) await this.show(name);
    } catch (error) {
      status.textContent = `redrive failed: ${(error as Error).message}`;
    }
  }
}
