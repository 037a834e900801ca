import { enc, get, raw, send } from "./api";
import { byId, fill, h, table, time } from "./dom";
import type { BucketView, ObjectView } from "./types";

/** Buckets: their objects, uploads by drag and drop, and an object opened (a report's lists as tables). */
export class BucketsView {
  private buckets: BucketView[] = [];
  private current?: BucketView;

  async load(): Promise<void> {
    this.buckets = await get<BucketView[]>("buckets");
    const select = byId<HTMLSelectElement>("bucket-select");
    fill(
      select,
      this.buckets.map((bucket) => h("option", { value: bucket.name }, `${bucket.logicalName} (${bucket.name})`)),
    );
    select.onchange = () => void this.choose(select.value);
    const zone = byId("drop-zone");
    zone.ondragover = (event) => {
      event.preventDefault();
      zone.classList.add("over");
    };
    zone.ondragleave = () => zone.classList.remove("over");
    zone.ondrop = (event) => {
      event.preventDefault();
      zone.classList.remove("over");
      void this.upload([...(event.dataTransfer?.files ?? [])]);
    };
    const input = byId<HTMLInputElement>("file-input");
    input.onchange = () => void this.upload([...(input.files ?? [])]);
    if (this.buckets[0]) await this.choose(this.buckets[0].name);
    else fill(byId("objects"), h("p", { class: "muted" }, "The program declares no bucket."));
  }

  private async choose(name: string): Promise<void> {
    this.current = this.buckets.find((bucket) => bucket.name === name);
    if (!this.current) return;
    const prefix = byId<HTMLInputElement>("upload-prefix");
    prefix.value = this.current.triggers[0]?.prefix ?? "";
    fill(
      byId("bucket-triggers"),
      this.current.triggers.length === 0
        ? "No notification: an upload starts nothing."
        : this.current.triggers.map((trigger) =>
            h("div", {}, `${trigger.prefix || "(any key)"}*${trigger.suffix} -> ${trigger.kind} ${trigger.target}`),
          ),
    );
    await this.list();
  }

  async list(): Promise<void> {
    if (!this.current) return;
    const { objects } = await get<{ objects: ObjectView[] }>(`buckets/${enc(this.current.name)}/objects`);
    const element = table(
      ["key", "size", "modified"],
      objects.map((object) => [
        h(
          "a",
          { href: "#", "data-key": object.key, onclick: (event: Event) => (event.preventDefault(), void this.open(object.key)) },
          object.key,
        ),
        `${object.size} B`,
        time(object.lastModified),
      ]),
      { id: "objects-table" },
    );
    fill(byId("objects"), element);
  }

  private async upload(files: File[]): Promise<void> {
    if (!this.current) return;
    const status = byId("upload-status");
    const prefix = byId<HTMLInputElement>("upload-prefix").value;
    for (const file of files) {
      const key = `${prefix}${file.name}`;
      try {
        await send("PUT", `buckets/${enc(this.current.name)}/object?key=${enc(key)}`, file, file.type || "application/octet-stream");
        status.textContent = `uploaded ${key} (${file.size} bytes)`;
      } catch (error) {
        status.textContent = `upload of ${key} failed: ${(error as Error).message}`;
      }
    }
    await this.list();
  }

  private async open(key: string): Promise<void> {
    const response = await raw(`buckets/${enc(this.current!.name)}/object?key=${enc(key)}`);
    const text = await response.text();
    const truncated = response.headers.get("x-object-truncated") === "true";
    const view = byId("object-view");
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    fill(view, h("h3", {}, key, truncated ? ` (first ${text.length} bytes of ${response.headers.get("x-object-size")})` : ""));
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) {
      const record = parsed as Record<string, unknown>;
      const scalars = Object.entries(record).filter(([, value]) => typeof value !== "object" || value === null);
      view.append(
        table(
          ["field", "value"],
          scalars.map(([name, value]) => [name, String(value)]),
          { class: "facts" },
        ),
      );
      // Lists of records (a report's rejected lines) read best as tables.
      for (const [name, value] of Object.entries(record)) {
        if (!Array.isArray(value) || value.length === 0 || !value.every((entry) => entry && typeof entry === "object")) continue;
        const columns = [...new Set(value.flatMap((entry) => Object.keys(entry as object)))];
        view.append(
          h("h4", {}, `${name} (${value.length})`),
          table(
            columns,
            value.map((entry) =>
              columns.map((column) => {
                const cell = (entry as Record<string, unknown>)[column];
                return Array.isArray(cell) ? cell.join("; ") : typeof cell === "object" ? JSON.stringify(cell) : String(cell ?? "");
              }),
            ),
            { class: "records", "data-list": name },
          ),
        );
      }
    } else {
      view.append(h("pre", {}, text));
    }
  }
}
