/**
 * The fixture program's handler (`runtime/hello.ts`) with one syntax error: its `statusCode: 200,`
 * written with a second comma. `message` is esbuild's account of it as the sandbox prints it
 * (file, line, column, the line itself), whatever line the handler holds it on.
 */
export function brokenHandler(good: string): { broken: string; message: string } {
  const line = good.split("\n").findIndex((text) => text.includes("statusCode: 200,")) + 1;
  return {
    broken: good.replace("statusCode: 200,", "statusCode: 200,,"),
    message: [
      '✘ [ERROR] Expected identifier but found ","',
      "",
      `    runtime/hello.ts:${line}:18:`,
      `      ${line} │   statusCode: 200,,`,
      `${" ".repeat(7 + String(line).length)}╵${" ".repeat(19)}^`,
    ].join("\n"),
  };
}
