import { constants as bufferConstants } from "node:buffer";
import type { IncomingMessage, ServerResponse } from "node:http";
import { awsErrorAnswer, sendAnswer, type AwsErrorAnswer } from "../shared/aws-errors";

/** S3's largest single PUT body (PutObject, UploadPart); larger objects are uploaded in parts. */
export const s3SinglePutLimit = 5 * 1024 ** 3;

/**
 * The largest request body the sandbox can take: fauxqs reads each PUT or UploadPart body into one
 * Buffer before the object is written to disk, and Node.js bounds a Buffer's length (4 GiB on Node 20).
 */
export const sandboxBodyLimit = Math.min(s3SinglePutLimit, bufferConstants.MAX_LENGTH);

/**
 * What receiving a body costs the sandbox, as a multiple of its size: the received chunks and the
 * Buffer they are joined into are both held until the object is stored (measured: a 100 MB PUT
 * raised the sandbox's resident memory by about twice its size at its peak).
 */
export const receivingCost = 2;

/** `4 GiB`, `4.5 GiB`, `150 MiB`: a size as a person reads it. */
function readable(bytes: number): string {
  const [unit, scale] = bytes >= 1024 ** 3 ? ["GiB", 1024 ** 3] : ["MiB", 1024 ** 2];
  return `${Number((bytes / scale).toFixed(1))} ${unit}`;
}

/**
 * The size of the object a request body carries, as the client declares it: `aws-chunked` bodies
 * (streamed uploads with a trailing checksum) declare it in `x-amz-decoded-content-length`.
 */
export function declaredObjectSize(headers: IncomingMessage["headers"]): number | undefined {
  const declared = headers["x-amz-decoded-content-length"] ?? headers["content-length"];
  if (typeof declared !== "string" || !/^\d+$/.test(declared.trim())) return undefined;
  return Number(declared);
}

/**
 * Why a body of `size` bytes is refused before it is read, if it is: over S3's own limit, S3's
 * error; over what the sandbox can hold (one Buffer, or the memory available to it while it
 * receives the body), an error that names the sandbox's limit and what to do instead.
 */
export function bodySizeRefusal(size: number, availableMemory: number, bufferLimit = sandboxBodyLimit): AwsErrorAnswer | undefined {
  if (size > s3SinglePutLimit) {
    return awsErrorAnswer("rest-xml", 400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size", {
      ProposedSize: String(size),
      MaxSizeAllowed: String(s3SinglePutLimit),
    });
  }
  if (size > bufferLimit) {
    return sandboxCannotHold(
      size,
      `one Buffer of at most ${bufferLimit} bytes (${readable(bufferLimit)}) per request body`,
      `upload larger objects in parts, each under ${readable(bufferLimit)}`,
    );
  }
  if (size * receivingCost > availableMemory) {
    return sandboxCannotHold(
      size,
      `the memory available to it: receiving a body takes about ${receivingCost} times its size and ${availableMemory} bytes (${readable(availableMemory)}) are available`,
      "free memory on this machine, or upload it in smaller parts",
    );
  }
  return undefined;
}

/** The answer to a body the sandbox cannot hold although S3 would take it: 501, as for anything else the sandbox does not do. */
export function sandboxCannotHold(size: number | undefined, limit: string, fix: string): AwsErrorAnswer {
  const body = size === undefined ? "this body" : `a body of ${size} bytes`;
  return awsErrorAnswer(
    "rest-xml",
    501,
    "NotImplemented",
    `the sandbox receives each S3 request body in memory and cannot take ${body}, which S3 would accept: its limit is ${limit}; ${fix}`,
  );
}

/**
 * Answers an S3 request whose declared body is too large, from its headers alone, without reading
 * the body (as S3 answers); returns false, doing nothing, for any other request.
 */
export function refuseOversizedBody(request: IncomingMessage, response: ServerResponse): boolean {
  const size = declaredObjectSize(request.headers);
  if (size === undefined) return false;
  const refusal = bodySizeRefusal(size, process.availableMemory());
  if (!refusal) return false;
  // The body is not read: the connection cannot carry another request after it.
  sendAnswer(response, { ...refusal, headers: { ...refusal.headers, connection: "close" } });
  return true;
}
