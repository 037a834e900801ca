import type * as PulumiModule from "@pulumi/pulumi";

/**
 * Runs a Pulumi program under mocks as the CLI's Node.js language host runs it: the mocks and the
 * stack's config set first, then the program's module loaded inside a root stack resource, its
 * `beforeExit` handlers run, its exports resolved as the stack's outputs. The sandbox's deployer
 * and the program's tests both run the program through here. `pulumi` is the program's own SDK.
 */
export interface MockedRun {
  readonly project: string;
  readonly stack: string;
  readonly mocks: PulumiModule.runtime.Mocks;
  /** Set with `setAllConfig`; undefined leaves config to the environment (`PULUMI_CONFIG`). */
  readonly config?: Record<string, string>;
  readonly secretKeys?: string[];
  /** Called inside the root stack before the program loads (e.g. to add stack transformations). */
  readonly beforeLoad?: () => void;
  /** Loads the program's module: its exports. */
  readonly load: () => unknown;
  /** How many resources are declared so far: `beforeExit` rounds go on while the count grows. */
  readonly declared: () => number;
  /** `beforeExit` listeners of the process running the program (a test runner's), never called. */
  readonly hostBeforeExit?: readonly unknown[];
}

export interface MockedRunResult {
  readonly outputs: Record<string, unknown>;
  /** The program's failure, if it failed: it declared what it declared before. */
  readonly error?: unknown;
}

type RunInStack = (init: () => Promise<Record<string, unknown>>) => Promise<unknown>;
type WaitForRpcs = () => Promise<void>;

/** Rounds of `beforeExit` a program may use to declare more (each round may schedule another). */
const MAX_BEFORE_EXIT_ROUNDS = 10;

export async function runUnderMocks(pulumi: typeof PulumiModule, run: MockedRun): Promise<MockedRunResult> {
  await pulumi.runtime.setMocks(run.mocks, run.project, run.stack, false);
  if (run.config) pulumi.runtime.setAllConfig(run.config, run.secretKeys);
  let exports: Record<string, unknown> = {};
  let error: unknown;
  // The SDK's runtime exports runInPulumiStack (runtime/stack.d.ts) without re-exporting its type.
  await (pulumi.runtime as unknown as { runInPulumiStack: RunInStack }).runInPulumiStack(async () => {
    const host = new Set(run.hostBeforeExit ?? []);
    try {
      run.beforeLoad?.();
      const program = (await run.load()) as Record<string, unknown>;
      exports = Object.fromEntries(Object.entries(program).filter(([key]) => key !== "default" && key !== "__esModule"));
      await runBeforeExit(pulumi, run.declared, () => process.listeners("beforeExit").filter((listener) => !host.has(listener)));
    } catch (caught) {
      // Kept here rather than rethrown: the stack would report it a second time as unhandled.
      error = caught;
    }
    return exports;
  });
  if (error) {
    await pulumi.runtime.disconnect().catch(() => undefined);
    return { outputs: {}, error };
  }
  const outputs: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(exports)) outputs[key] = await resolveOutput(pulumi, value);
  await pulumi.runtime.disconnect();
  return { outputs };
}

/**
 * What the CLI's language host does once the program's module has loaded: wait until its
 * outstanding registrations are done, then run the `beforeExit` handlers (where @pulumi/aws
 * declares a bucket's notification for `bucket.onObjectCreated(...)`), as many times as they
 * declare more.
 */
async function runBeforeExit(
  pulumi: typeof PulumiModule,
  declared: () => number,
  handlers: () => Array<(code: number) => void>,
): Promise<void> {
  const waitForRpcs = (pulumi.runtime as unknown as { waitForRPCs: WaitForRpcs }).waitForRPCs;
  await waitForRpcs();
  for (let round = 0; round < MAX_BEFORE_EXIT_ROUNDS && handlers().length > 0; round++) {
    const before = declared();
    for (const handler of handlers()) handler(0);
    await new Promise((resolve) => setImmediate(resolve));
    await waitForRpcs();
    if (declared() === before) return;
  }
}

async function resolveOutput(pulumi: typeof PulumiModule, value: unknown): Promise<unknown> {
  const output = pulumi.output(value) as PulumiModule.Output<unknown>;
  return new Promise((resolve) => output.apply((resolved: unknown) => (resolve(resolved), resolved)));
}
