import type { IncomingMessage, ServerResponse } from "node:http";
import type { Reporter } from "./shared/log";
import type { Wiring } from "./wiring";
import { basename, join } from "node:path";
import { readdirSync, readFileSync } from "node:fs";
import { createHash, randomUUID } from "node:crypto";
import { ListObjectsV2Command, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import {
  httpSampleRequest,
  missingTriggerNote,
  s3SampleTarget,
  sampleEvent,
  sampleSources,
  type SampleOptions,
  type SampleSource,
} from "./samples";
import { asyncConfigFor } from "./services/lambda/async-invoke";

export interface SampleDeps {
  s3: S3Client;
  /** Where the program's `fixtures/` are: a sample object comes from there when the bucket has none. */
  programDir: string;
}

/**
 * A sample that runs the function's happy path: for S3, an object that exists (the newest the
 * notification takes, else one put from the program's fixtures); for SQS, the last message body
 * the function accepted; for HTTP, the route asked for or one without variables. `note` says
 * when the sample had to fall back on something the function may refuse.
 */
async function sampleFor(
  source: SampleSource,
  name: string,
  current: Wiring,
  deps: SampleDeps,
  query: URLSearchParams,
): Promise<{ event: unknown; note?: string }> {
  const options: SampleOptions = {};
  let note: string | undefined;
  if (source === "s3") {
    const target = s3SampleTarget(name, current.index);
    const listing = await deps.s3.send(new ListObjectsV2Command({ Bucket: target.bucket, Prefix: target.prefix }));
    const newest = (listing.Contents ?? [])
      .filter((object) => object.Key!.endsWith(target.suffix))
      .sort((a, b) => (b.LastModified?.getTime() ?? 0) - (a.LastModified?.getTime() ?? 0))[0];
    if (newest) {
      options.object = { key: newest.Key!, size: newest.Size ?? 0, eTag: String(newest.ETag ?? "").replace(/"/g, "") };
    } else {
      const fixtures = join(deps.programDir, "fixtures");
      const fixture = (() => {
        try {
          return readdirSync(fixtures)
            .sort()
            .find((file) => file.endsWith(target.suffix || ".txt"));
        } catch {
          return undefined;
        }
      })();
      const body = fixture ? readFileSync(join(fixtures, fixture)) : Buffer.from("a sample object from the sandbox\n");
      const key = `${target.prefix}${fixture ? basename(fixture) : `sample${target.suffix || ".txt"}`}`;
      await deps.s3.send(new PutObjectCommand({ Bucket: target.bucket, Key: key, Body: body }));
      options.object = { key, size: body.length, eTag: createHash("md5").update(body).digest("hex") };
      note = fixture
        ? `the bucket held no object for this function: put fixtures/${fixture} as s3://${target.bucket}/${key} first`
        : `the bucket held no object for this function and the program has no fixtures/*${target.suffix}: put a placeholder as s3://${target.bucket}/${key}`;
    }
  } else if (source === "sqs") {
    options.body = current.acceptedBodies.get(name);
    if (options.body === undefined) {
      note =
        "this function has accepted no message yet, so the sample's body is a placeholder it may refuse: send one through its queue first (e.g. npm run upload), or pass --event";
    }
  } else if (source === "dynamodb") {
    options.streamRecord = current.acceptedStreamRecords.get(name);
    if (!options.streamRecord)
      note =
        "this function has accepted no stream record yet, so the sample is an INSERT of a placeholder item: write to its table first, or pass --event";
  } else {
    options.method = query.get("method") ?? undefined;
    options.path = query.get("path") ?? undefined;
    const request = source === "http" ? httpSampleRequest(name, current.index, options) : undefined;
    if (request?.filled) {
      note = `no ${request.method} route of the API is free of path variables, so the sample calls ${request.method} ${request.path} (${request.filled} with its variables filled in), which the function may not serve: give the path with --path`;
    } else if (request && options.path === undefined && request.path === "/" && !request.match) {
      note = `no ${request.method} route of the API takes a path without variables, so the sample calls ${request.method} / (no route matches it): give the path with --path`;
    }
  }
  // Each note on a line of its own, the missing trigger first: it explains the others.
  const notes = [missingTriggerNote(source, name, current.index), note].filter((line) => line !== undefined).join("\n");
  return { event: sampleEvent(source, name, current.index, options), ...(notes ? { note: notes } : {}) };
}

const invokePath = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;

async function body(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function json(response: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}) {
  const text = JSON.stringify(value);
  response.writeHead(status, { "content-type": "application/json", "content-length": String(Buffer.byteLength(text)), ...headers });
  response.end(text);
}

/**
 * Lambda's Invoke API on the sandbox endpoint (so `aws lambda invoke --endpoint-url` and
 * `npm run invoke` work), plus the sandbox's own read-only routes under `/_sandbox/`.
 */
export function controlRoutes(wiring: () => Wiring, reporter: Reporter, sampleDeps: SampleDeps) {
  return (request: IncomingMessage, response: ServerResponse): boolean => {
    const url = new URL(request.url ?? "/", "http://sandbox");
    const invoke = invokePath.exec(url.pathname);
    if (invoke && request.method === "POST") {
      void (async () => {
        const name = decodeURIComponent(invoke[1]);
        const current = wiring();
        const fn = current.functionByRef(name) ?? [...current.functions.values()].find((candidate) => candidate.spec.logicalName === name);
        if (!fn)
          return json(
            response,
            404,
            { Type: "User", message: `Function not found: ${name}` },
            { "x-amzn-errortype": "ResourceNotFoundException" },
          );
        const text = await body(request);
        let event: unknown;
        try {
          event = text ? JSON.parse(text) : {};
        } catch {
          return json(
            response,
            400,
            { Type: "User", message: "Could not parse request body into json: the event must be JSON" },
            { "x-amzn-errortype": "InvalidRequestContentException" },
          );
        }
        // DryRun checks the request (the function exists, the event is JSON) and runs nothing.
        if (request.headers["x-amz-invocation-type"] === "DryRun") {
          response.writeHead(204, { "x-amz-request-id": randomUUID() });
          response.end();
          return;
        }
        if (request.headers["x-amz-invocation-type"] === "Event") {
          // Queued as Lambda queues it: retried, then sent to the destinations the program declared.
          void current.asyncInvoker.invoke(fn, event, { source: "invoke", detail: "(Event)" }, asyncConfigFor(current.index, fn.name));
          return json(response, 202, {});
        }
        const result = await fn.invoke(event);
        reporter.invocation(fn.spec, { source: "invoke", detail: "(RequestResponse)" }, result, { event });
        const tail = Buffer.from(
          result.logs
            .map((log) => log.text)
            .join("\n")
            .slice(-4096),
        ).toString("base64");
        const headers: Record<string, string> = { "x-amz-executed-version": "$LATEST", "x-amz-request-id": result.requestId };
        if (request.headers["x-amz-log-type"] === "Tail") headers["x-amz-log-result"] = tail;
        if (!result.ok) headers["x-amz-function-error"] = "Unhandled";
        return json(response, 200, result.ok ? result.value : result.error, headers);
      })().catch((error) => json(response, 400, { Type: "User", message: String(error) }));
      return true;
    }
    if (url.pathname === "/_sandbox/resources" && request.method === "GET") {
      const resources = wiring().index.deployment.resources.map(({ type, name, id, state }) => ({
        type,
        name,
        id,
        state: Object.fromEntries(Object.entries(state).filter(([key]) => key !== "code")),
      }));
      json(response, 200, { resources });
      return true;
    }
    if (url.pathname === "/_sandbox/sample" && request.method === "GET") {
      const source = url.searchParams.get("source") as SampleSource;
      const fn = url.searchParams.get("function") ?? "";
      if (!sampleSources.includes(source)) {
        json(response, 400, { message: `--sample takes ${sampleSources.join(", ")}, not '${source}'` });
        return true;
      }
      const current = wiring();
      const name =
        current.functionByRef(fn)?.name ??
        [...current.functions.values()].find((candidate) => candidate.spec.logicalName === fn)?.name ??
        fn;
      void sampleFor(source, name, current, sampleDeps, url.searchParams).then(
        ({ event, note }) => json(response, 200, event, note ? { "x-sandbox-sample-note": encodeURIComponent(note) } : {}),
        (error: Error) => json(response, 500, { message: `could not build the sample: ${error.message}` }),
      );
      return true;
    }
    return false;
  };
}
