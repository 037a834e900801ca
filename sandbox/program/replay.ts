import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Deployment, DeployRequest } from "../model/recorded";
import { physicalName } from "../model/physical-names";
import { resourceTypes } from "../services/resource-types";
import type { Provisioner } from "./provision";
import { contentHash, fileFingerprint } from "../shared/file-fingerprint";
import { writeWhole } from "../shared/write-whole";

/**
 * The last deployment is kept in two files: what it was made from (small, read first on every
 * start) and the deployment itself (megabytes of bundled code, read only when it can serve), so
 * that a start with nothing changed serves it at once while a real run confirms it.
 */
export interface DeploymentKey {
  fingerprint: string;
  /** The origins the deployment's URLs were built on: a start on other ports moves them. */
  awsEndpoint: string;
  apiOrigin: string;
  /** The files it was made from, as its run listed them. */
  programFiles: string[];
  bundleInputs: string[];
}

const keyFile = (stateDir: string) => join(stateDir, "deployment.key.json");
const recordFile = (stateDir: string) => join(stateDir, "deployment.json");

/** Whether a deployment was recorded (it may still be out of date). */
export function hasRecordedDeployment(stateDir: string): boolean {
  return existsSync(keyFile(stateDir)) && existsSync(recordFile(stateDir));
}

/** Lockfiles of the program's dependencies, and npm's record of what is installed. */
const lockfiles = [
  "package-lock.json",
  "npm-shrinkwrap.json",
  "yarn.lock",
  "pnpm-lock.yaml",
  "bun.lock",
  join("node_modules", ".package-lock.json"),
];

/** The sandbox's own sources: a new version of it may record a program differently. */
const sandboxDir = join(__dirname, "..");

function sourcesUnder(dir: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...sourcesUnder(path));
    else if (/\.(ts|mjs|js|json)$/.test(entry.name)) files.push(path);
  }
  return files.sort();
}

/**
 * Everything a deployment depends on: the files the program loaded and its bundles read (as the
 * last deployment listed them), its dependencies' lockfiles, the stack's config, and the sandbox's
 * own sources. The endpoints' origins are left out: they move with the ports, and are replaced.
 */
function deploymentFingerprint(files: Pick<DeploymentKey, "programFiles" | "bundleInputs">, request: DeployRequest): string {
  const hash = createHash("sha256");
  const { project, stack, config, secretKeys, programDir } = request;
  hash.update(JSON.stringify({ project, stack, config, secretKeys: [...secretKeys].sort(), programDir }));
  for (const file of [...new Set([...files.programFiles, ...files.bundleInputs])].sort())
    hash.update(`${file}\u0000${fileFingerprint(file) ?? "absent"}\u0000`);
  for (const name of lockfiles) hash.update(`${name}\u0000${contentHash(join(programDir, name)) ?? "absent"}\u0000`);
  for (const file of sourcesUnder(sandboxDir)) hash.update(`${file}\u0000${contentHash(file) ?? "absent"}\u0000`);
  return hash.digest("hex");
}

/**
 * Long texts (bundled code and its source maps) appear three times in a deployment: the function's
 * inputs, its state and the bundle's output. The record keeps each once, in `texts`, and refers to
 * it where it appeared; reading a third of the bytes is most of what a replayed start saves.
 */
const SHARED_TEXT_MIN_LENGTH = 1024;

/** The key of a reference to a kept text: no program's own object has a NUL in a key. */
const TEXT_REFERENCE = "\u0000text";

interface StoredDeployment {
  texts: string[];
  deployment: unknown;
}

function storedText(deployment: Deployment): string {
  const texts: string[] = [];
  const indexOf = new Map<string, number>();
  const stored = JSON.stringify(deployment, (_key, value: unknown) => {
    if (typeof value !== "string" || value.length < SHARED_TEXT_MIN_LENGTH) return value;
    let index = indexOf.get(value);
    if (index === undefined) indexOf.set(value, (index = texts.push(value) - 1));
    return { [TEXT_REFERENCE]: index };
  });
  // The texts last: a reader that moves origins works on the whole file, texts included.
  return `{"deployment":${stored},"texts":${JSON.stringify(texts)}}`;
}

/** The stored deployment, each string in it with `moved` applied (this start's origins for the recorded ones). */
function parsedDeployment(text: string, moved: (value: string) => string = (value) => value): Deployment {
  const { deployment, texts: stored } = JSON.parse(text) as StoredDeployment;
  if (!Array.isArray(stored)) throw new Error("a record of an older format");
  const texts = stored.map(moved);
  const restore = (value: unknown): unknown => {
    if (typeof value === "string") return moved(value);
    if (Array.isArray(value)) return value.map(restore);
    if (value === null || typeof value !== "object") return value;
    const reference = (value as Record<string, unknown>)[TEXT_REFERENCE];
    if (typeof reference === "number") return texts[reference];
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [moved(key), restore(inner)]));
  };
  return restore(deployment) as Deployment;
}

/** Keeps a deployment that a real run of the program produced, for the next start. */
export function recordDeployment(stateDir: string, deployment: Deployment, request: DeployRequest): void {
  const files = {
    programFiles: deployment.programFiles,
    bundleInputs: [...new Set(deployment.bundles.flatMap((bundle) => bundle.inputs))],
  };
  const key: DeploymentKey = {
    fingerprint: deploymentFingerprint(files, request),
    awsEndpoint: request.awsEndpoint,
    apiOrigin: request.apiOrigin,
    ...files,
  };
  mkdirSync(stateDir, { recursive: true });
  // The deployment first: a key is never newer than the deployment it describes. The program's
  // secrets (its config) are in it: the user's only.
  writeWhole(recordFile(stateDir), storedText(deployment), 0o600);
  writeWhole(keyFile(stateDir), JSON.stringify(key), 0o600);
}

/** The record of the last deployment, if nothing it depends on changed since (the origins aside). */
export function matchingRecord(stateDir: string, request: DeployRequest): DeploymentKey | undefined {
  if (!hasRecordedDeployment(stateDir)) return undefined;
  try {
    const key = JSON.parse(readFileSync(keyFile(stateDir), "utf8")) as DeploymentKey;
    return deploymentFingerprint(key, request) === key.fingerprint ? key : undefined;
  } catch {
    // Unreadable (a crash while writing, an older format): the program runs.
    return undefined;
  }
}

/** The recorded deployment, its URLs moved to this start's origins; undefined if it cannot be read. */
export function recordedDeployment(
  stateDir: string,
  key: DeploymentKey,
  origins: Pick<DeployRequest, "awsEndpoint" | "apiOrigin">,
): Deployment | undefined {
  const moves = new Map(
    (
      [
        [key.awsEndpoint, origins.awsEndpoint],
        [key.apiOrigin, origins.apiOrigin],
      ] as Array<[string, string]>
    ).filter(([before, after]) => before !== after),
  );
  // Both origins in one pass (this start's endpoint may be the last start's API origin), each only
  // where no digit follows (`:4566` is not `:45660`); string by string once parsed, so the
  // megabytes of code are scanned, not copied, when no origin is in them.
  const recorded = [...moves.keys()].map((origin) => origin.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  const pattern = new RegExp(`(?:${recorded.join("|")})(?!\\d)`, "g");
  const moved = (value: string) => (moves.size === 0 ? value : value.replace(pattern, (origin) => moves.get(origin)!));
  try {
    // Bytes first, then text: Node 20 reads megabytes straight to UTF-8 text in about 1.5 times
    // as long (some 20 ms of a restart for a 3 MB record).
    return parsedDeployment(readFileSync(recordFile(stateDir)).toString("utf8"), moved);
  } catch {
    return undefined;
  }
}

/** Whether two deployments declare the same: what a confirming run is compared on. */
export function sameDeployment(a: Deployment, b: Deployment): boolean {
  const canonical = (deployment: Deployment) =>
    JSON.stringify({
      // A function's `lastModified` says when the run happened, not what the program declared.
      resources: deployment.resources
        .map(({ state: { lastModified: _, ...state }, ...resource }) => JSON.stringify({ ...resource, state }))
        .sort(),
      outputs: deployment.outputs,
    });
  return canonical(a) === canonical(b);
}

/**
 * Creates in the emulators what a replayed deployment holds (queues and objects live in memory and
 * are gone after a stop; a table is kept, or created again if its data was removed). False when
 * an emulator answers other than the record says (a queue URL, a stream ARN): then the program must run.
 */
export async function provisionReplayed(provisioner: Provisioner, deployment: Deployment): Promise<boolean> {
  // Each type in the order the program registered its resources (a dead-letter queue exists
  // before the queue naming it), the types side by side: each client's first request costs the
  // most, and those overlap.
  const byType = new Map<string, Deployment["resources"]>();
  for (const resource of deployment.resources) byType.set(resource.type, [...(byType.get(resource.type) ?? []), resource]);
  // Every type settled before answering: a failed replay is followed by the program's own run,
  // which must not meet a table still being created or deleted.
  const created = await Promise.allSettled(
    [...byType.values()].map(async (resources) => {
      for (const resource of resources) {
        const physical = physicalName(
          resource.inputs,
          deployment.stack,
          resource.type,
          resource.name,
          resourceTypes.get(resource.type)?.nameInput,
        );
        const computed = await provisioner.create(resource.type, physical, resource.inputs);
        if (Object.entries(computed).some(([key, value]) => resource.state[key] !== value)) return false;
      }
      return true;
    }),
  );
  const failure = created.find((outcome) => outcome.status === "rejected");
  if (failure) throw (failure as PromiseRejectedResult).reason;
  return created.every((outcome) => outcome.status === "fulfilled" && outcome.value);
}
