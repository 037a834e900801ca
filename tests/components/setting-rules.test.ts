import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import {
  BILLING_MODES,
  DEFAULT_CORS_ALLOW_ORIGINS,
  DEFAULT_REPORT_PREFIX,
  DEFAULT_UPLOAD_PREFIX,
  INTEGER_SETTINGS,
  integerProblem,
} from "../../components/setting-rules";

const root = resolve(__dirname, "../..");
const declared = (
  parseYaml(readFileSync(join(root, "Pulumi.yaml"), "utf8")) as {
    config: Record<string, { default?: unknown; description?: string }>;
  }
).config;

/** docs/configuration.md's table: key (without `job-offers:`) -> its default and limits cells. */
function documented(): Map<string, { default: string; limits: string }> {
  const rows = new Map<string, { default: string; limits: string }>();
  for (const line of readFileSync(join(root, "docs/configuration.md"), "utf8").split("\n")) {
    const cells = line.split("|").map((cell) => cell.trim());
    const key = /^`job-offers:(\w+)`$/.exec(cells[1] ?? "")?.[1];
    if (key) rows.set(key, { default: cells[2], limits: cells[3] });
  }
  return rows;
}

const integerKeys = Object.keys(INTEGER_SETTINGS) as Array<keyof typeof INTEGER_SETTINGS>;

describe("each setting's default and limits, written once", () => {
  it.each(integerKeys)("Pulumi.yaml declares %s with the table's default, and any range it states is the table's", (key) => {
    const setting = INTEGER_SETTINGS[key];
    expect(declared[key]?.default).toBe(setting.default);
    const stated = /(\d+) to (\d+)/.exec(declared[key].description ?? "");
    if (stated) expect([Number(stated[1]), Number(stated[2])]).toEqual([setting.min, setting.max]);
  });

  it.each(integerKeys)("docs/configuration.md gives %s the table's default and limits", (key) => {
    const setting = INTEGER_SETTINGS[key];
    const row = documented().get(key);
    expect(row?.default).toBe(`\`${setting.default}\``);
    expect(row?.limits.startsWith(`${setting.min} to ${setting.max}`)).toBe(true);
  });

  it("Pulumi.yaml and docs/configuration.md agree with the other defaults", () => {
    const rows = documented();
    expect([declared.uploadPrefix.default, rows.get("uploadPrefix")?.default]).toEqual([
      DEFAULT_UPLOAD_PREFIX,
      `\`${DEFAULT_UPLOAD_PREFIX}\``,
    ]);
    expect([declared.reportPrefix.default, rows.get("reportPrefix")?.default]).toEqual([
      DEFAULT_REPORT_PREFIX,
      `\`${DEFAULT_REPORT_PREFIX}\``,
    ]);
    expect(declared.corsAllowOrigins.default).toEqual(DEFAULT_CORS_ALLOW_ORIGINS);
    expect(rows.get("corsAllowOrigins")?.default).toBe(`\`${JSON.stringify(DEFAULT_CORS_ALLOW_ORIGINS)}\``);
    expect(declared.billingMode.default).toBe(BILLING_MODES[0]);
    expect(rows.get("billingMode")?.limits).toBe(BILLING_MODES.map((mode) => `\`${mode}\``).join(", "));
  });

  it("documents every key Pulumi.yaml declares", () => {
    expect([...documented().keys()].sort()).toEqual(Object.keys(declared).sort());
  });

  it("says what is wrong with a value in the table's words", () => {
    expect(integerProblem(INTEGER_SETTINGS.apiTimeout, 30)).toBe(
      "must be an integer from 1 to 29 seconds (API Gateway gives up on an integration after 30 s)",
    );
    expect(integerProblem(INTEGER_SETTINGS.memorySize, 128.5)).toBe("must be an integer from 128 to 10240 MB");
    expect(integerProblem(INTEGER_SETTINGS.logRetentionDays, 10)).toMatch(/^must be one of 1, 3, 5, 7, 14, 30, /);
    expect(integerProblem(INTEGER_SETTINGS.logRetentionDays, 14)).toBeUndefined();
  });
});
