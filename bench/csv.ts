import { createWriteStream } from "node:fs";
import { once } from "node:events";

/** Cities rows are spread over: enough for `?city=` to page through an index partition. */
export const CITY_COUNT = 50;
const CITIES = Array.from({ length: CITY_COUNT }, (_, i) => (i === 0 ? "São Paulo" : i === 1 ? "Paris" : `City ${i}`));

export const HEADER = "id,city,title,company,contract_type,salary_min,salary_max,currency,remote,posted_at,url,description,bench_run";

export const cityOf = (n: number) => CITIES[n % CITY_COUNT];
export const idOf = (n: number) => `job-${String(n).padStart(7, "0")}`;

/**
 * Row n of every generated file is the same job (same id and city), so a smaller file is a prefix
 * of a bigger one and the table ends with as many items as the biggest file had rows. `run` tags
 * the rows of one upload, so that what the API returns can be traced back to that upload.
 * About 240 bytes a row, with the quoting a spreadsheet export has (commas, doubled quotes).
 */
export function csvRow(n: number, run: string): string {
  const salary = 30_000 + (n % 70) * 1_000;
  const day = String(1 + (n % 28)).padStart(2, "0");
  return [
    idOf(n),
    cityOf(n),
    `Engineer ${n % 97}`,
    n % 5 === 0 ? '"Acme, Inc."' : "Globex",
    n % 3 === 0 ? "contract" : "full-time",
    salary,
    salary + 15_000,
    "EUR",
    n % 2 === 0 ? "yes" : "no",
    `2026-10-${day}`,
    `https://jobs.example.com/${idOf(n)}`,
    `"Build, ship and run services; ""on call"" one week in ${2 + (n % 6)}"`,
    run,
  ].join(",");
}

/** Writes a file of `rows` data rows, streaming, so a million rows never sit in memory. */
export async function writeCsv(file: string, rows: number, run: string): Promise<number> {
  const out = createWriteStream(file);
  let chunk = `${HEADER}\n`;
  for (let n = 0; n < rows; n++) {
    chunk += `${csvRow(n, run)}\n`;
    if (chunk.length > 65_536) {
      if (!out.write(chunk)) await once(out, "drain");
      chunk = "";
    }
  }
  out.end(chunk);
  await once(out, "finish");
  return out.bytesWritten;
}
