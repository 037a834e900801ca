import { defineConfig } from "vitest/config";
import SandboxFilesFirst from "./tests/support/sandbox-files-first";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    // Emulators and esbuild bundles make the first test of a file slow on a 2-core machine.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Pulumi keeps global runtime state (mocks, config): every test file gets its own process.
    pool: "forks",
    // Most sandbox tests wait on queues and timers rather than the CPU: two files at a time on
    // this 2-core machine take ~2 min instead of ~3.5 (stable over repeated runs).
    maxWorkers: 2,
    sequence: { sequencer: SandboxFilesFirst },
  },
});
