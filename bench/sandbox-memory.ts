import { spawnSync } from "node:child_process";

/** One process of the sandbox's tree, as `ps` lists it. */
export interface ProcessMemory {
  pid: number;
  rssMb: number;
  /** The sandbox's own process (`npm start`'s node), a function's execution environment, or anything else (npm, esbuild). */
  role: "sandbox" | "environment" | "other";
  /** An execution environment's function and memory size, read from the settings its runtime is started with. */
  functionName?: string;
  memorySizeMb?: number;
}

/** The processes of a process group (a sandbox started detached: every process it started, and nothing else). */
export function processGroup(groupId: number): ProcessMemory[] {
  // -ww: whole command lines, which carry an environment's settings.
  const listed = spawnSync("ps", ["-ww", "-o", "pid=,rss=,args=", "-g", String(groupId)], { encoding: "utf8" }).stdout;
  const processes: ProcessMemory[] = [];
  for (const line of listed.split("\n")) {
    const match = /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line);
    if (!match) continue;
    const [pid, rssMb, args] = [Number(match[1]), Number(match[2]) / 1024, match[3]];
    const bootstrap = args.indexOf("bootstrap.mjs ");
    if (bootstrap !== -1) {
      const settings = environmentSettings(args.slice(bootstrap + "bootstrap.mjs ".length));
      processes.push({ pid, rssMb, role: "environment", ...settings });
    } else {
      processes.push({ pid, rssMb, role: args.includes("sandbox/cli/start.mjs") ? "sandbox" : "other" });
    }
  }
  return processes;
}

/** An execution environment's runtime gets its settings as one JSON argument (sandbox/services/lambda/environment.ts). */
function environmentSettings(json: string): { functionName?: string; memorySizeMb?: number } {
  try {
    const { functionName, memorySizeMb } = JSON.parse(json) as { functionName?: string; memorySizeMb?: number };
    return { functionName, memorySizeMb };
  } catch {
    return {};
  }
}

/** The resident memory of the processes in a role (all of them when none is given), in MB. */
export function rssOf(processes: ProcessMemory[], role?: ProcessMemory["role"]): number {
  return processes.filter((p) => role === undefined || p.role === role).reduce((total, p) => total + p.rssMb, 0);
}

export interface EnvironmentPeak {
  functionName: string;
  memorySizeMb: number;
  peakMb: number;
}

/** The highest figures seen over samples of the sandbox's tree: its own process, each environment, the whole tree. */
export class MemoryPeaks {
  sandboxMb = 0;
  /** The whole tree at its highest, and how that sample was made up. */
  tree = { totalMb: 0, sandboxMb: 0, environmentsMb: 0, environments: 0 };
  private readonly environments = new Map<number, EnvironmentPeak>();

  sample(processes: ProcessMemory[]): void {
    const totalMb = rssOf(processes);
    this.sandboxMb = Math.max(this.sandboxMb, rssOf(processes, "sandbox"));
    if (totalMb > this.tree.totalMb) {
      const environments = processes.filter((p) => p.role === "environment").length;
      this.tree = { totalMb, sandboxMb: rssOf(processes, "sandbox"), environmentsMb: rssOf(processes, "environment"), environments };
    }
    for (const p of processes) {
      if (p.role !== "environment" || !p.functionName || !p.memorySizeMb) continue;
      const peak = this.environments.get(p.pid) ?? { functionName: p.functionName, memorySizeMb: p.memorySizeMb, peakMb: 0 };
      peak.peakMb = Math.max(peak.peakMb, p.rssMb);
      this.environments.set(p.pid, peak);
    }
  }

  /** Whether every environment stayed within its function's memory size (false when none ran). */
  withinMemorySizes(): boolean {
    const peaks = [...this.environments.values()];
    return peaks.length > 0 && peaks.every((peak) => peak.peakMb <= peak.memorySizeMb);
  }

  /** Per function: how many environments ran, the highest of their peaks, and the memory size they are held to. */
  byFunction(): Array<{ functionName: string; environments: number; peakMb: number; memorySizeMb: number }> {
    const functions = new Map<string, { functionName: string; environments: number; peakMb: number; memorySizeMb: number }>();
    for (const peak of this.environments.values()) {
      const entry = functions.get(peak.functionName) ?? {
        functionName: peak.functionName,
        environments: 0,
        peakMb: 0,
        memorySizeMb: peak.memorySizeMb,
      };
      entry.environments++;
      entry.peakMb = Math.max(entry.peakMb, peak.peakMb);
      functions.set(peak.functionName, entry);
    }
    return [...functions.values()].sort((a, b) => a.functionName.localeCompare(b.functionName));
  }
}
