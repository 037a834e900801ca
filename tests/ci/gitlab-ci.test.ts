import * as fs from "node:fs";
import * as path from "node:path";
import { parseDocument } from "yaml";
import { describe, expect, it } from "vitest";
import { npmScriptsCalled, packageScripts } from "./pipeline-text";

/** .gitlab-ci.yml, checked offline: the same delivery as the GitHub workflows. */

const ROOT = path.resolve(__dirname, "../..");

interface GitLabJob {
  stage?: string;
  extends?: string | string[];
  script?: string[];
  before_script?: string[];
  needs?: string[];
  rules?: Array<{ if?: string; when?: string }>;
  id_tokens?: Record<string, { aud: string }>;
  environment?: { name: string; action?: string; on_stop?: string; url?: string };
  variables?: Record<string, string>;
}

const TEXT = fs.readFileSync(path.join(ROOT, ".gitlab-ci.yml"), "utf8");
const document = parseDocument(TEXT);
const PIPELINE = document.toJS() as Record<string, unknown> & { stages: string[] };
const KEYWORDS = new Set(["stages", "workflow", "default", "variables", "include"]);
const JOBS = Object.fromEntries(Object.entries(PIPELINE).filter(([name]) => !KEYWORDS.has(name) && !name.startsWith("."))) as Record<
  string,
  GitLabJob
>;

/** A job with its `extends` chain merged the way GitLab does (the job's own keys win). */
function resolved(name: string): GitLabJob {
  const job = PIPELINE[name] as GitLabJob;
  const parents = job.extends === undefined ? [] : [job.extends].flat();
  return Object.assign({}, ...parents.map(resolved), job) as GitLabJob;
}

const shellOf = (job: GitLabJob) => [...(job.before_script ?? []), ...(job.script ?? [])].join("\n");

describe(".gitlab-ci.yml", () => {
  it("parses", () => {
    expect(document.errors).toEqual([]);
    expect(Object.keys(JOBS).length).toBeGreaterThan(0);
  });

  it("has the stages of the GitHub workflows, in delivery order", () => {
    // ci.yml -> test, preview.yml -> preview, review-stack.yml -> review, deploy.yml -> deploy, cleanup.yml -> cleanup
    expect(PIPELINE.stages).toEqual(["test", "preview", "review", "deploy", "cleanup"]);
    const used = new Set(Object.keys(JOBS).map((name) => resolved(name).stage));
    expect([...PIPELINE.stages].filter((stage) => !used.has(stage))).toEqual([]);
    for (const name of Object.keys(JOBS)) expect(PIPELINE.stages, name).toContain(resolved(name).stage);
  });

  it("runs only npm scripts that package.json defines", () => {
    const scripts = packageScripts(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
    const called = Object.keys(JOBS).flatMap((name) => npmScriptsCalled(shellOf(resolved(name))));
    expect(called).toEqual(expect.arrayContaining(["typecheck", "lint", "test"]));
    expect(called.filter((script) => !scripts.includes(script))).toEqual([]);
  });

  it("gets AWS credentials only through an OIDC token for STS, in every job that runs pulumi", () => {
    expect(TEXT).not.toMatch(/AWS_SECRET_ACCESS_KEY\s*:/);
    for (const name of Object.keys(JOBS)) {
      const job = resolved(name);
      const shell = shellOf(job);
      if (!/\bpulumi\s/.test(shell)) continue;
      expect(job.id_tokens?.AWS_ID_TOKEN?.aud, name).toBe("sts.amazonaws.com");
      expect(shell, name).toContain("aws sts assume-role-with-web-identity");
      expect(shell, name).toContain('--web-identity-token "$AWS_ID_TOKEN"');
    }
  });

  it("previews dev on merge requests", () => {
    const preview = resolved("preview");
    expect(preview.stage).toBe("preview");
    expect(preview.rules?.[0].if).toContain('$CI_PIPELINE_SOURCE == "merge_request_event"');
    expect(shellOf(preview)).toContain("pulumi preview --stack dev");
  });

  it("gives each merge request a review stack pr-<iid> whose environment stops by destroying it", () => {
    const review = resolved("review");
    expect(review.variables?.STACK).toBe("pr-$CI_MERGE_REQUEST_IID");
    expect(shellOf(review)).toContain('pulumi config cp --stack dev --dest "$STACK"');
    expect(shellOf(review)).toContain("job-offers:apiToken");
    const stopName = review.environment?.on_stop ?? "";
    const stop = resolved(stopName);
    expect(stop.environment).toMatchObject({ name: review.environment?.name, action: "stop" });
    const shell = shellOf(stop);
    expect(shell.indexOf('pulumi stack rm --yes --non-interactive "$STACK"')).toBeGreaterThan(
      shell.indexOf('pulumi destroy --yes --non-interactive --skip-preview --stack "$STACK"'),
    );
  });

  it("deploys dev from the default branch, then staging and prod by hand, in order", () => {
    expect(resolved("deploy-dev").environment?.name).toBe("dev");
    expect(resolved("deploy-staging")).toMatchObject({ needs: ["deploy-dev"], environment: { name: "staging" } });
    expect(resolved("deploy-prod")).toMatchObject({ needs: ["deploy-staging"], environment: { name: "prod" } });
    for (const name of ["deploy-staging", "deploy-prod"]) expect(resolved(name).rules?.[0].when).toBe("manual");
    expect(shellOf(resolved("deploy-dev"))).toContain(
      'pulumi up --yes --non-interactive --skip-preview --suppress-progress --stack "$CI_ENVIRONMENT_NAME"',
    );
  });

  it("cleans up on schedule with the tested script, as a dry run unless told otherwise", () => {
    const cleanup = resolved("cleanup");
    expect(cleanup.rules).toEqual([{ if: '$CI_PIPELINE_SOURCE == "schedule"' }]);
    const shell = shellOf(cleanup);
    expect(shell).toContain("npx tsx scripts/cleanup-stacks.ts");
    expect(shell).toContain('if [ "${CLEANUP_DRY_RUN:-true}" = "false" ]; then set -- "$@" --execute; fi');
  });
});
