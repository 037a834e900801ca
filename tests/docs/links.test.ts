import { readdirSync, readFileSync, existsSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { npmScriptsCalled, packageScripts } from "../ci/pipeline-text";

const root = resolve(__dirname, "../..");
const pages = [
  "README.md",
  ...readdirSync(join(root, "docs"))
    .filter((name) => name.endsWith(".md"))
    .map((name) => `docs/${name}`),
];

/** Markdown links outside code: `[text](target)`. */
function linksOf(markdown: string): string[] {
  const prose = markdown.replace(/```[\s\S]*?```/g, "").replace(/`[^`\n]*`/g, "");
  return [...prose.matchAll(/\]\(([^)\s]+)\)/g)].map((match) => match[1]);
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
function anchorsOf(markdown: string): Set<string> {
  const headings = markdown.replace(/```[\s\S]*?```/g, "").match(/^#{1,6} .*$/gm) ?? [];
  return new Set(
    headings.map((heading) =>
      heading
        .replace(/^#+ /, "")
        .toLowerCase()
        .replace(/[^\p{L}\p{N} _-]/gu, "")
        .replace(/ /g, "-"),
    ),
  );
}

describe("the README and docs/", () => {
  it.each(pages)("%s links only to files and headings of this repository", (page) => {
    const text = readFileSync(join(root, page), "utf8");
    const broken: string[] = [];
    for (const link of linksOf(text)) {
      const [path, anchor] = link.split("#");
      if (/^[a-z]+:/i.test(path)) {
        broken.push(`${link}: outside the repository`);
        continue;
      }
      const target = path === "" ? join(root, page) : resolve(dirname(join(root, page)), path);
      if (relative(root, target).startsWith("..") || !existsSync(target)) {
        broken.push(`${link}: no such file in the repository`);
        continue;
      }
      if (anchor !== undefined && !anchorsOf(readFileSync(target, "utf8")).has(anchor)) {
        broken.push(`${link}: no heading with that anchor`);
      }
    }
    expect(broken).toEqual([]);
  });

  it("name only npm scripts that package.json has", () => {
    const scripts = new Set(packageScripts(readFileSync(join(root, "package.json"), "utf8")));
    const named = pages.flatMap((page) => npmScriptsCalled(readFileSync(join(root, page), "utf8")));
    expect(named.length).toBeGreaterThan(10);
    expect([...new Set(named)].filter((script) => !["test", "start"].includes(script) && !scripts.has(script))).toEqual([]);
  });

  it("are all reached from the README", () => {
    const readme = linksOf(readFileSync(join(root, "README.md"), "utf8"));
    expect(pages.filter((page) => page !== "README.md" && !readme.includes(page))).toEqual([]);
  });
});
