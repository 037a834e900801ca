import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import * as pulumi from "@pulumi/pulumi";
import type { MockResourceArgs } from "@pulumi/pulumi/runtime";
import { plain } from "../../sandbox/program/serialize";
import { sandboxMocks } from "../../sandbox/program/mocks";
import type { Provisioner } from "../../sandbox/program/provision";
import { LocalFunction } from "../../sandbox/services/lambda/function";
import { codeHashOf } from "../../sandbox/model/function-spec";

/** A function's archive as the program declares it, carried to the function's directory. */

const dir = mkdtempSync(join(tmpdir(), "sandbox-archive-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("function archives", () => {
  it("take file assets and folders from disk byte for byte, and text assets as written", async () => {
    const binary = Buffer.from([0x00, 0xff, 0xfe, 0x80, 0x0a]);
    writeFileSync(join(dir, "blob.bin"), binary);
    const archive = new pulumi.asset.AssetArchive({
      "index.js": new pulumi.asset.StringAsset(
        "exports.handler = async () => require('fs').readFileSync(__dirname + '/blob.bin').toString('hex');",
      ),
      "blob.bin": new pulumi.asset.FileAsset(join(dir, "blob.bin")),
    });
    const code = (await plain(archive)) as { files: Record<string, string>; links: Record<string, string> };
    expect(code.files).toEqual({ "index.js": expect.stringContaining("exports.handler") });
    expect(code.links).toEqual({ "blob.bin": join(dir, "blob.bin") });

    const fn = new LocalFunction(
      {
        name: "archive-probe",
        logicalName: "archive-probe",
        arn: "arn:aws:lambda:us-east-1:000000000000:function:archive-probe",
        handler: "index.handler",
        runtime: "nodejs24.x",
        ...code,
        codeHash: codeHashOf(code.files, code.links),
        environment: {},
        timeoutSeconds: 3,
        memorySizeMb: 128,
      },
      { stateDir: dir, awsEndpoint: "http://127.0.0.1:9" },
    );
    try {
      expect(await fn.invoke({})).toMatchObject({ ok: true, value: binary.toString("hex") });
    } finally {
      await fn.stop();
    }
    expect(readFileSync(join(dir, "blob.bin"))).toEqual(binary);
  });

  it("refuse an entry that would land outside the function's root, naming it", async () => {
    const archive = new pulumi.asset.AssetArchive({ "../../elsewhere/pkg": new pulumi.asset.FileArchive(dir) });
    await expect(plain(archive)).rejects.toThrow("archive entry '../../elsewhere/pkg' lies outside the function's root");
  });

  it("take a FileArchive of a folder as the folder, and refuse a missing path or an archive file, naming it", async () => {
    await expect(plain(new pulumi.asset.FileArchive(dir))).resolves.toEqual({ files: {}, links: { ".": dir } });
    const missing = join(dir, "publish");
    await expect(plain(new pulumi.asset.FileArchive(missing))).rejects.toThrow(
      `couldn't read archive path '${missing}': no such file or directory`,
    );
    writeFileSync(join(dir, "lambda.zip"), "PK");
    await expect(plain(new pulumi.asset.AssetArchive({ ".": new pulumi.asset.FileArchive(join(dir, "lambda.zip")) }))).rejects.toThrow(
      `archive '${join(dir, "lambda.zip")}' is a file: the sandbox runs a FileArchive of a folder and does not unpack .zip, .tar or .jar files; give the folder the archive is made from`,
    );
  });

  it("refuse at deploy a function whose code is a container image or an object in S3, saying what it declared", async () => {
    const provisioner = { create: async () => ({}) } as unknown as Provisioner;
    const declare = (inputs: Record<string, unknown>) =>
      sandboxMocks({ stack: "sandbox", apiOrigin: "http://127.0.0.1:3000", provisioner }).mocks.newResource({
        type: "aws:lambda/function:Function",
        name: "thumbnailer",
        inputs,
        custom: true,
      } as MockResourceArgs);
    await expect(declare({ packageType: "Image", imageUri: "000000000000.dkr.ecr.us-east-1.amazonaws.com/repo:latest" })).rejects.toThrow(
      "aws:lambda/function:Function thumbnailer: its code is a container image (packageType: Image, imageUri 000000000000.dkr.ecr.us-east-1.amazonaws.com/repo:latest), which the sandbox does not run: it runs Node.js functions from a code archive",
    );
    await expect(declare({ runtime: "nodejs22.x", handler: "index.handler", s3Bucket: "code", s3Key: "lambda-1.zip" })).rejects.toThrow(
      "aws:lambda/function:Function thumbnailer: its code is an object in S3 (s3Bucket code, s3Key lambda-1.zip), which the sandbox does not fetch: it runs Node.js functions from a code archive (code)",
    );
  });
});
