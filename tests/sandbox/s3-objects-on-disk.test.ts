import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import { startLocalAws, type LocalAws } from "../../sandbox/endpoint";
import { sandboxCredentials as credentials, sandboxRegion as region } from "../../sandbox/shared/constants";

const MiB = 1024 * 1024;
const md5 = (bytes: Buffer) => createHash("md5").update(bytes).digest("hex");

describe("S3 objects kept on disk under the state directory", () => {
  let aws: LocalAws;
  let stateDir: string;
  let s3: S3Client;
  const objectsDir = () => join(stateDir, "s3");
  /** The bytes the files under the state directory hold, added up. */
  const bytesOnDisk = () => readdirSync(objectsDir()).reduce((sum, file) => sum + statSync(join(objectsDir(), file)).size, 0);
  const get = async (Key: string, Range?: string) => {
    const object = await s3.send(new GetObjectCommand({ Bucket: "files", Key, Range }));
    return { bytes: Buffer.from(await object.Body!.transformToByteArray()), range: object.ContentRange, length: object.ContentLength };
  };

  beforeAll(async () => {
    stateDir = mkdtempSync(join(tmpdir(), "sandbox-s3-disk-"));
    aws = await startLocalAws({ port: 0, stateDir });
    s3 = new S3Client({ endpoint: aws.origin, region, credentials, forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket: "files" }));
  });
  afterAll(async () => {
    s3?.destroy();
    await aws?.stop();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it("stores a PutObject's body in a file and streams it back byte for byte, whole or by ranges", async () => {
    const body = randomBytes(MiB + 123);
    const put = await s3.send(new PutObjectCommand({ Bucket: "files", Key: "one.bin", Body: body }));
    expect(put.ETag).toBe(`"${md5(body)}"`);
    expect(bytesOnDisk()).toBe(body.length);

    const whole = await get("one.bin");
    expect(whole.length).toBe(body.length);
    expect(whole.bytes.equals(body)).toBe(true);
    const middle = await get("one.bin", "bytes=1000-299999");
    expect(middle.range).toBe(`bytes 1000-299999/${body.length}`);
    expect(middle.bytes.equals(body.subarray(1000, 300000))).toBe(true);
    expect((await get("one.bin", "bytes=-10")).bytes.equals(body.subarray(-10))).toBe(true);
    expect((await get("one.bin", `bytes=${MiB}-`)).bytes.equals(body.subarray(MiB))).toBe(true);
    expect((await get("one.bin", `bytes=${MiB}-${10 * MiB}`)).bytes.equals(body.subarray(MiB))).toBe(true);
    await expect(get("one.bin", `bytes=${body.length}-`)).rejects.toMatchObject({
      name: "InvalidRange",
      $metadata: { httpStatusCode: 416 },
    });
  });

  it("keeps a multipart object as its parts' files: read across parts, its ETag as S3's, parts left out removed", async () => {
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: "files", Key: "parts.bin" }));
    const parts = [randomBytes(5 * MiB), randomBytes(1000)];
    const upload = (PartNumber: number, Body: Buffer) =>
      s3.send(new UploadPartCommand({ Bucket: "files", Key: "parts.bin", UploadId, PartNumber, Body }));
    // Part 1 sent twice (the second replaces the first), part 3 never listed.
    await upload(1, randomBytes(5 * MiB));
    const etags = [(await upload(1, parts[0])).ETag!, (await upload(2, parts[1])).ETag!];
    await upload(3, randomBytes(100));
    const completed = await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: "files",
        Key: "parts.bin",
        UploadId,
        MultipartUpload: { Parts: etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 })) },
      }),
    );
    const whole = Buffer.concat(parts);
    const digests = Buffer.concat(parts.map((part) => createHash("md5").update(part).digest()));
    expect(completed.ETag).toBe(`"${createHash("md5").update(digests).digest("hex")}-2"`);
    expect((await get("parts.bin")).bytes.equals(whole)).toBe(true);
    const across = `bytes=${5 * MiB - 10}-${5 * MiB + 9}`;
    expect((await get("parts.bin", across)).bytes.equals(whole.subarray(5 * MiB - 10, 5 * MiB + 10))).toBe(true);
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: "files", Prefix: "parts" }));
    expect(listed.Contents?.map((object) => [object.Key, object.Size])).toEqual([["parts.bin", whole.length]]);
    // The first object (one.bin) and this one's two parts: nothing else.
    expect(bytesOnDisk()).toBe(MiB + 123 + whole.length);
  });

  it("copies an object by linking its files: the copy outlives its source, and deleted or replaced objects leave nothing behind", async () => {
    const original = (await get("parts.bin")).bytes;
    const copied = await s3.send(new CopyObjectCommand({ Bucket: "files", Key: "copy.bin", CopySource: "files/parts.bin" }));
    expect(copied.CopyObjectResult?.ETag).toBe(`"${md5(original)}"`);
    await s3.send(new DeleteObjectCommand({ Bucket: "files", Key: "parts.bin" }));
    expect((await get("copy.bin")).bytes.equals(original)).toBe(true);
    expect(bytesOnDisk()).toBe(MiB + 123 + original.length);

    await s3.send(new PutObjectCommand({ Bucket: "files", Key: "copy.bin", Body: "replaced" }));
    await s3.send(new DeleteObjectCommand({ Bucket: "files", Key: "one.bin" }));
    expect(bytesOnDisk()).toBe("replaced".length);
    expect((await get("copy.bin")).bytes.toString()).toBe("replaced");
  });

  it("removes the objects' files when it stops", async () => {
    const elsewhere = mkdtempSync(join(tmpdir(), "sandbox-s3-stop-"));
    const other = await startLocalAws({ port: 0, stateDir: elsewhere });
    const client = new S3Client({ endpoint: other.origin, region, credentials, forcePathStyle: true });
    await client.send(new CreateBucketCommand({ Bucket: "b" }));
    await client.send(new PutObjectCommand({ Bucket: "b", Key: "k", Body: "bytes" }));
    expect(readdirSync(join(elsewhere, "s3"))).toHaveLength(1);
    client.destroy();
    await other.stop();
    expect(existsSync(join(elsewhere, "s3"))).toBe(false);
    rmSync(elsewhere, { recursive: true, force: true });
  });
});
