import { get } from "./api";
import { byId, fill, h, pretty, table, time } from "./dom";
import type { FunctionView, InvocationEntry, InvocationSummary } from "./types";

/** The live invocation log: newest first, filtered by function, each row opening its details. */
export class InvocationsView {
  private entries: InvocationSummary[] = [];
  private filter = "";
  private functions: FunctionView[] = [];

  async load(): Promise<void> {
    [this.functions, this.entries] = await Promise.all([get<FunctionView[]>("functions"), get<InvocationSummary[]>("invocations")]);
    const select = byId<HTMLSelectElement>("invocation-filter");
    fill(
      select,
      h("option", { value: "" }, "every function"),
      this.functions.map((fn) => h("option", { value: fn.name }, `${fn.logicalName} (${fn.name})`)),
    );
    select.onchange = () => {
      this.filter = select.value;
      this.render();
    };
    fill(
      byId("functions"),
      table(
        ["function", "local name", "runtime", "memory", "timeout", "triggers", "invocations"],
        this.functions.map((fn) => [
          fn.logicalName,
          h("code", {}, fn.name),
          fn.runtime,
          `${fn.memorySizeMb} MB`,
          `${fn.timeoutSeconds} s`,
          fn.triggers.join(", ") || "-",
          h("span", { "data-count": fn.name }, String(this.entries.filter((entry) => entry.function === fn.name).length)),
        ]),
        { id: "functions-table" },
      ),
    );
    this.render();
  }

  add(entry: InvocationSummary): void {
    this.entries.push(entry);
    if (this.entries.length > 500) this.entries.shift();
    const count = document.querySelector(`[data-count="${CSS.escape(entry.function)}"]`);
    if (count) count.textContent = String(Number(count.textContent) + 1);
    this.render();
  }

  private rows(limit: number, filter: string): HTMLTableElement {
    const shown = this.entries
      .filter((entry) => !filter || entry.function === filter)
      .slice(-limit)
      .reverse();
    const element = table(
      ["time", "function", "trigger", "duration", "cold start", "outcome"],
      shown.map((entry) => [
        time(entry.at),
        entry.logicalName,
        `${entry.trigger} ${entry.detail}`,
        `${entry.durationMs} ms`,
        entry.coldStartMs > 0 ? `${entry.coldStartMs} ms` : "",
        h("span", { class: entry.ok ? "ok" : "bad" }, entry.outcome),
      ]),
      { class: "clickable invocations" },
    );
    element.querySelectorAll("tbody tr").forEach((row, position) => {
      row.setAttribute("data-function", shown[position].function);
      row.addEventListener("click", () => void this.open(shown[position].id));
    });
    return element;
  }

  private render(): void {
    fill(byId("invocation-log"), this.rows(200, this.filter));
    fill(byId("overview-invocations"), this.rows(8, ""));
  }

  private async open(id: number): Promise<void> {
    const entry = await get<InvocationEntry>(`invocations/${id}`);
    const dialog = byId<HTMLDialogElement>("detail");
    fill(
      dialog,
      h(
        "header",
        {},
        h("h3", {}, `${entry.logicalName} <- ${entry.trigger} ${entry.detail}`),
        h("button", { onclick: () => dialog.close() }, "close"),
      ),
      h(
        "p",
        { class: entry.ok ? "ok" : "bad" },
        `${entry.outcome}, ${entry.durationMs} ms${entry.coldStartMs > 0 ? `, cold start ${entry.coldStartMs} ms` : ""}, at ${time(entry.at)}`,
      ),
      ...(entry.detailsGone
        ? [h("p", { class: "details-gone" }, `This invocation is listed, but ${entry.detailsGone}.`)]
        : [
            h("h4", {}, "Event"),
            h("pre", { class: "event" }, pretty(entry.event)),
            h("h4", {}, entry.ok ? "Result" : "Error"),
            h("pre", { class: "result" }, pretty(entry.result)),
            h("h4", {}, "Output"),
            h("pre", { class: "output" }, entry.logs.map((log) => log.text).join("\n") || "(nothing printed)"),
          ]),
    );
    dialog.showModal();
  }
}
