import { describe, expect, it } from "vitest";
import { bodySizeRefusal, declaredObjectSize } from "../../sandbox/endpoint/s3-body-limits";

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;
const plenty = 64 * GiB;

/** The parts of an S3 XML error a client shows. */
function shown(answer: ReturnType<typeof bodySizeRefusal>) {
  if (!answer) return undefined;
  const text = answer.body.toString("utf8");
  const element = (name: string) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(text)?.[1];
  return { status: answer.status, contentType: answer.headers["content-type"], code: element("Code"), message: element("Message") };
}

describe("the sizes of S3 request bodies the sandbox takes", () => {
  it("takes every size S3 takes in a single PUT, 5 GiB included, when the sandbox can hold it", () => {
    expect(bodySizeRefusal(5 * GiB, plenty, 5 * GiB)).toBeUndefined();
    expect(bodySizeRefusal(12 * MiB, plenty)).toBeUndefined();
  });

  it("refuses more than 5 GiB as S3 does, whatever the sandbox could hold", () => {
    const answer = bodySizeRefusal(5 * GiB + 1, plenty, 8 * GiB);
    expect(shown(answer)).toEqual({
      status: 400,
      contentType: "application/xml",
      code: "EntityTooLarge",
      message: "Your proposed upload exceeds the maximum allowed size",
    });
    expect(answer!.body.toString()).toContain(`<ProposedSize>${5 * GiB + 1}</ProposedSize><MaxSizeAllowed>${5 * GiB}</MaxSizeAllowed>`);
  });

  it("refuses a body larger than one Buffer, naming the sandbox's limit and the fix", () => {
    expect(shown(bodySizeRefusal(4 * GiB + 1, plenty, 4 * GiB))).toEqual({
      status: 501,
      contentType: "application/xml",
      code: "NotImplemented",
      message:
        `the sandbox receives each S3 request body in memory and cannot take a body of ${4 * GiB + 1} bytes, which S3 would accept: ` +
        `its limit is one Buffer of at most ${4 * GiB} bytes (4 GiB) per request body; upload larger objects in parts, each under 4 GiB`,
    });
  });

  it("refuses a body it has not the memory to receive (twice its size), naming what is available", () => {
    expect(shown(bodySizeRefusal(100 * MiB, 150 * MiB))).toEqual({
      status: 501,
      contentType: "application/xml",
      code: "NotImplemented",
      message:
        `the sandbox receives each S3 request body in memory and cannot take a body of ${100 * MiB} bytes, which S3 would accept: ` +
        `its limit is the memory available to it: receiving a body takes about 2 times its size and ${150 * MiB} bytes (150 MiB) are available; ` +
        "free memory on this machine, or upload it in smaller parts",
    });
    expect(bodySizeRefusal(100 * MiB, 200 * MiB)).toBeUndefined();
  });

  it("reads the object's size from the headers: Content-Length, or the decoded length of an aws-chunked body", () => {
    expect(declaredObjectSize({ "content-length": "12582912" })).toBe(12582912);
    expect(declaredObjectSize({ "content-length": "6442500000", "x-amz-decoded-content-length": "6442450944" })).toBe(6442450944);
    expect(declaredObjectSize({ "transfer-encoding": "chunked" })).toBeUndefined();
    expect(declaredObjectSize({ "content-length": "12 MB" })).toBeUndefined();
  });
});
