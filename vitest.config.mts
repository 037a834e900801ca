import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    // Emulators and esbuild bundles make the first test of a file slow on a 2-core machine.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Pulumi keeps global runtime state (mocks, config): every test file gets its own process.
    pool: "forks",
  },
});
