import { parseArgs, type ParseArgsConfig } from "node:util";

const helpFlag = { help: { type: "boolean", short: "h" } } as const;

/**
 * Parses flags or exits with the usage line: a wrong flag never starts anything. Every command
 * takes `--help` (`-h`): it prints the usage and exits 0.
 */
export function parseFlags<T extends NonNullable<ParseArgsConfig["options"]>>(usage: string, options: T, allowPositionals = true) {
  let parsed;
  try {
    parsed = parseArgs({ options: { ...options, ...helpFlag }, allowPositionals, strict: true });
  } catch (error) {
    // Node's advice on positionals that start with '-' is about `node` command lines, not `npm run`'s.
    console.error(
      `${(error as Error).message.replace(/\. To specify a positional argument starting with a '-'.*$/s, "")}\nusage: ${usage}`,
    );
    process.exit(2);
  }
  if ((parsed.values as { help?: boolean }).help) {
    console.log(`usage: ${usage}`);
    process.exit(0);
  }
  return parsed;
}

export function portFlag(value: string | undefined, fallback: number, flag: string): number {
  if (value === undefined) return fallback;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`${flag} must be a port number from 0 to 65535 (0 picks a free one), not '${value}'`);
    process.exit(2);
  }
  return port;
}

/** A command line without what it needs: what is missing, then the usage, exit 2 as for a mistyped flag. */
export function usageError(usage: string, problem?: string): never {
  console.error(`${problem ? `error: ${problem}\n` : ""}usage: ${usage}`);
  process.exit(2);
}

/** Every CLI command ends here on failure: one message, no stack trace for expected errors. */
export function fail(error: unknown): never {
  const known = error instanceof Error && ["PortInUseError", "DeploymentError", "Error"].includes(error.name);
  console.error(known ? `error: ${(error as Error).message}` : error);
  process.exit(1);
}
