import { enc, get } from "./api";
import { byId, fill, h, table } from "./dom";
import type { ItemsPage, TableView } from "./types";

/** A table's items a page at a time, queried by its key or by any index's, one item shown as JSON. */
export class TablesView {
  private tables: TableView[] = [];
  private current?: TableView;
  private cursors: Array<string | null> = [null];

  async load(): Promise<void> {
    this.tables = await get<TableView[]>("tables");
    const select = byId<HTMLSelectElement>("table-select");
    fill(
      select,
      this.tables.map((view) => h("option", { value: view.name }, `${view.logicalName} (${view.name})`)),
    );
    select.onchange = () => void this.choose(select.value);
    byId<HTMLFormElement>("query-form").onsubmit = (event) => {
      event.preventDefault();
      void this.query(null);
    };
    byId("scan-button").onclick = () => void this.choose(this.current?.name ?? "");
    if (this.tables[0]) await this.choose(this.tables[0].name);
    else fill(byId("items"), h("p", { class: "muted" }, "The program declares no table."));
  }

  private async choose(name: string): Promise<void> {
    this.current = this.tables.find((view) => view.name === name);
    if (!this.current) return;
    const index = byId<HTMLSelectElement>("query-index");
    fill(
      index,
      h("option", { value: "" }, `table: ${this.current.hashKey}${this.current.rangeKey ? ` + ${this.current.rangeKey}` : ""}`),
      this.current.indexes.map((candidate) =>
        h(
          "option",
          { value: candidate.name },
          `${candidate.kind} index ${candidate.name}: ${candidate.hashKey}${candidate.rangeKey ? ` + ${candidate.rangeKey}` : ""}`,
        ),
      ),
    );
    index.onchange = () => this.placeholders();
    this.placeholders();
    this.cursors = [null];
    await this.scan();
  }

  private keysOfChoice() {
    const chosen = byId<HTMLSelectElement>("query-index").value;
    return chosen ? this.current!.indexes.find((index) => index.name === chosen)! : this.current!;
  }

  private placeholders(): void {
    const keys = this.keysOfChoice();
    byId<HTMLInputElement>("query-hash").placeholder = keys.hashKey;
    const range = byId<HTMLInputElement>("query-range");
    range.placeholder = keys.rangeKey ? `${keys.rangeKey} (optional)` : "no sort key";
    range.disabled = !keys.rangeKey;
  }

  private async scan(): Promise<void> {
    const cursor = this.cursors[this.cursors.length - 1];
    const page = await get<ItemsPage>(`tables/${enc(this.current!.name)}/items?limit=25${cursor ? `&cursor=${enc(cursor)}` : ""}`);
    this.show(page, `scan, page ${this.cursors.length}`, () => {
      this.cursors.push(page.nextCursor);
      void this.scan();
    });
  }

  private async query(cursor: string | null): Promise<void> {
    const index = byId<HTMLSelectElement>("query-index").value;
    const hash = byId<HTMLInputElement>("query-hash").value;
    const range = byId<HTMLInputElement>("query-range").value;
    const params = new URLSearchParams({ hash, limit: "25" });
    if (index) params.set("index", index);
    if (range) params.set("range", range);
    if (cursor) params.set("cursor", cursor);
    try {
      const page = await get<ItemsPage>(`tables/${enc(this.current!.name)}/query?${params}`);
      this.show(page, `query ${index || "table"} ${hash}${range ? ` / ${range}` : ""}`, () => void this.query(page.nextCursor));
    } catch (error) {
      fill(byId("items"), h("p", { class: "bad" }, (error as Error).message));
    }
  }

  private show(page: ItemsPage, title: string, next: () => void): void {
    const columns = [...new Set(page.items.flatMap((item) => Object.keys(item)))].slice(0, 8);
    const element = table(
      columns,
      page.items.map((item) =>
        columns.map((column) =>
          item[column] === undefined ? "" : typeof item[column] === "object" ? JSON.stringify(item[column]) : String(item[column]),
        ),
      ),
      { class: "clickable", id: "items-table" },
    );
    element
      .querySelectorAll("tbody tr")
      .forEach((row, position) =>
        row.addEventListener("click", () => fill(byId("item-json"), h("pre", {}, JSON.stringify(page.items[position], null, 2)))),
      );
    fill(
      byId("items"),
      h(
        "p",
        { class: "muted" },
        `${title}: ${page.items.length} item(s)`,
        page.nextCursor ? h("button", { onclick: next, id: "next-page" }, "next page") : null,
      ),
      element,
    );
  }
}
