import { existsSync } from "node:fs";
import { dirname, join } from "node:path";

/**
 * Which Node.js binary runs a function: the major its `runtime` declares. The sandbox's own Node
 * when its major matches; otherwise the binary npm installed from the registry's per-platform
 * packages (optionalDependencies `node<major>-<platform>-<arch>` in package.json).
 */

/** The runtime Lambda recommends for new functions, named in AWS's refusal. */
export const newestNodeRuntime = "nodejs24.x";

/**
 * Node.js runtimes Lambda still creates functions with; their binaries are optional dependencies.
 * Lambda blocked creating nodejs20.x functions on 2026-08-31 and updating them on 2026-09-30.
 */
const acceptedMajors = [22, 24];

/** Identifiers of Node.js runtimes older than the numbered `nodejsNN.x` scheme. */
const legacyNodeRuntimes = new Set(["nodejs", "nodejs4.3", "nodejs4.3-edge", "nodejs6.10", "nodejs8.10"]);

export function nodeMajorOf(runtime: string): number | undefined {
  const match = /^nodejs(\d+)\.x$/.exec(runtime);
  return match ? Number(match[1]) : undefined;
}

/**
 * AWS's answer to CreateFunction with a runtime it no longer accepts for new functions
 * (nodejs20.x and older), or undefined when Lambda creates it.
 */
export function refusedRuntimeMessage(runtime: string): string | undefined {
  const major = nodeMajorOf(runtime);
  if (!legacyNodeRuntimes.has(runtime) && (major === undefined || major >= acceptedMajors[0])) return undefined;
  return (
    `InvalidParameterValueException: The runtime parameter of ${runtime} is no longer supported for creating or updating AWS Lambda functions. ` +
    `We recommend you use the new runtime (${newestNodeRuntime}) while creating or updating functions.`
  );
}

export type NodeBinary = { ok: true; path: string; major: number } | { ok: false; message: string };

const packagePlatform = (platform: string) => (platform === "win32" ? "win" : platform);

/** The package that holds this machine's binary of a Node major, as package.json names it. */
export function nodeBinaryPackage(major: number, platform = process.platform, arch = process.arch): string {
  return `node${major}-${packagePlatform(platform)}-${arch}`;
}

/** Finds the binary of the Node major a function's runtime declares, or says why there is none and the fix. */
export function nodeBinaryFor(runtime: string): NodeBinary {
  const major = nodeMajorOf(runtime);
  if (major === undefined) {
    return {
      ok: false,
      message: `runtime ${runtime} is not run by the sandbox: it runs Node.js functions (${acceptedMajors.map((m) => `nodejs${m}.x`).join(", ")})`,
    };
  }
  const hostMajor = Number(process.versions.node.split(".")[0]);
  if (major === hostMajor) return { ok: true, path: process.execPath, major };
  const packageName = nodeBinaryPackage(major);
  if (acceptedMajors.includes(major)) {
    try {
      const root = dirname(require.resolve(`${packageName}/package.json`));
      const path = join(root, "bin", process.platform === "win32" ? "node.exe" : "node");
      if (existsSync(path)) return { ok: true, path, major };
    } catch {
      // Not installed: said below.
    }
    return {
      ok: false,
      message:
        `${runtime} needs Node.js ${major}, and its binary (npm package ${packageName}, an optional dependency) is not installed: ` +
        `run npm ci without --omit=optional, or start the sandbox on Node.js ${major}` +
        (process.platform === "darwin" && process.arch === "arm64" ? ` (the npm registry has no Node.js ${major} for macOS on arm64)` : ""),
    };
  }
  return {
    ok: false,
    message: `${runtime} needs Node.js ${major}, which the sandbox does not install: start the sandbox on Node.js ${major}, or declare ${newestNodeRuntime}`,
  };
}
