import { readFileSync } from "node:fs";
import { BaseSequencer, type TestSpecification } from "vitest/node";

/** Files that start a sandbox (or the bench, which starts one): the suite's long ones. */
const startsSandbox = /\b(startSandbox|startTestSandbox|fixtureSandbox|startSandboxProcess|runBench)\(/;

/**
 * Vitest runs files it has no timings for by size, so on a fresh clone (CI) a short file that
 * starts a sandbox could begin last and leave one worker alone with it. Those files go first,
 * each group in vitest's own order (by the last run's durations when it has them).
 */
export default class SandboxFilesFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const long = sorted.filter((file) => startsSandbox.test(readFileSync(file.moduleId, "utf8")));
    return [...long, ...sorted.filter((file) => !long.includes(file))];
  }
}
