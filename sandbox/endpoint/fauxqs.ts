import { existsSync, realpathSync, rmSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { constants as bufferConstants } from "node:buffer";
// fauxqs' app is a Fastify instance (fastify comes with fauxqs; only its types are used here).
import type { FastifyError, FastifyInstance } from "fastify";
import { sandboxRegion } from "../shared/constants";
import { awsErrorAnswer, type AwsErrorAnswer } from "../shared/aws-errors";
import { declaredObjectSize, sandboxBodyLimit, sandboxCannotHold } from "./s3-body-limits";
import { objectsOnDisk, type FauxqsS3StoreClass, type S3ErrorClass } from "./s3-objects-on-disk";
import { bodiesOnDisk, type FauxqsSqsStoreClass } from "./sqs-bodies-on-disk";

export interface FauxqsEmulator {
  /** Serves one request in-process (S3 streams through as it is). */
  handle(request: IncomingMessage, response: ServerResponse): void;
  /** Serves a request whose body the endpoint rewrote (SQS queue URLs). */
  inject(request: { method: string; url: string; headers: Record<string, string | string[] | undefined>; body: Buffer }): Promise<{
    status: number;
    headers: Record<string, string | string[] | number | undefined>;
    body: Buffer;
  }>;
  /** What a queue holds right now, read without receiving anything; undefined for an unknown queue. */
  queueFigures(name: string): QueueFigures | undefined;
  /** Its messages, read in place: their receive counts and visibility stay as they are. */
  queueContents(name: string): QueueContents | undefined;
  stop(): Promise<void>;
}

/** A queue's counts as SQS's `Approximate...` attributes give them, and when its oldest message was sent. */
export interface QueueFigures {
  visible: number;
  inFlight: number;
  delayed: number;
  /** Epoch ms of the oldest message not yet deleted (visible or in flight); undefined when empty. */
  oldestSentAt?: number;
}

/** One message as the queue holds it, looked at without receiving it. */
export interface HeldMessage {
  messageId: string;
  body: string;
  sentTimestamp: number;
  approximateReceiveCount: number;
  messageAttributes?: Record<string, unknown>;
}

export interface QueueContents {
  visible: HeldMessage[];
  inFlight: HeldMessage[];
  delayed: HeldMessage[];
}

/** One of fauxqs' own modules, loaded by path. */
export const fauxqsModule = async <T>(...path: string[]) => (await import(pathToFileURL(join(fauxqsFolder(), "dist", ...path)).href)) as T;

/**
 * fauxqs for S3 and SQS, without a port of its own: `startFauxqs` would listen on every interface,
 * so the sandbox builds the app and hands it requests from its own loopback endpoint. S3 objects'
 * bytes live in files under `objectsDir` and queued messages' bodies under `messagesDir`, both
 * emptied at start and removed at stop: objects and messages last as long as the sandbox runs.
 */
export async function startFauxqs(options: { objectsDir: string; messagesDir: string }): Promise<FauxqsEmulator> {
  await acceptWhatSqsAccepts();
  loadSchemaCompilersOnUse();
  const { buildApp } = await import("fauxqs");
  // The store is made here so that queue figures are read in place: fauxqs' inspection route
  // serialises every message, too much to do each second for a queue of a large file.
  const { SqsStore } = await fauxqsModule<{ SqsStore: FauxqsSqsStoreClass }>("sqs", "sqsStore.js");
  const { S3Store } = await fauxqsModule<{ S3Store: FauxqsS3StoreClass }>("s3", "s3Store.js");
  const { S3Error } = await fauxqsModule<{ S3Error: S3ErrorClass }>("common", "errors.js");
  for (const dir of [options.objectsDir, options.messagesDir]) rmSync(dir, { recursive: true, force: true });
  const sqsStore = bodiesOnDisk(SqsStore, options.messagesDir);
  const s3Store = objectsOnDisk(S3Store, S3Error, options.objectsDir);
  // fauxqs makes each store it is not given (the option's type wants all three).
  const app = buildApp({
    logger: false,
    defaultRegion: sandboxRegion,
    stores: { sqsStore, s3Store } as unknown as NonNullable<Parameters<typeof buildApp>[0]>["stores"],
  });
  acceptS3Bodies(app);
  await app.ready();
  return {
    handle: (request, response) => app.routing(request, response),
    async inject(request) {
      const answer = await app.inject({
        method: request.method as "POST",
        url: request.url,
        headers: request.headers as Record<string, string>,
        payload: request.body,
      });
      return { status: answer.statusCode, headers: answer.headers, body: answer.rawPayload };
    },
    queueFigures(name) {
      const queue = sqsStore.queuesByName.get(name);
      if (!queue) return undefined;
      const { ready, delayed, inflight } = queue.inspectMessages();
      let oldestSentAt: number | undefined;
      for (const message of [...ready, ...inflight.map((entry) => entry.message)]) {
        if (oldestSentAt === undefined || message.sentTimestamp < oldestSentAt) oldestSentAt = message.sentTimestamp;
      }
      return {
        visible: ready.length,
        inFlight: inflight.length,
        delayed: delayed.length,
        ...(oldestSentAt !== undefined ? { oldestSentAt } : {}),
      };
    },
    queueContents(name) {
      const held = sqsStore.queuesByName.get(name)?.inspectMessages();
      if (!held) return undefined;
      return { visible: held.ready, inFlight: held.inflight.map((entry) => entry.message), delayed: held.delayed };
    },
    stop: async () => {
      await app.close();
      sqsStore.close();
      for (const dir of [options.objectsDir, options.messagesDir]) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * SQS (JSON), SNS and STS (query) calls are POSTs to the endpoint's root; S3 requests name a
 * bucket in their path, whatever their body's content type.
 */
const serviceCall = (request: { method: string; url: string }) => request.method === "POST" && request.url.split("?")[0] === "/";

/**
 * fauxqs reads S3 bodies through Fastify's catch-all parser, within its app's 11 MiB body limit,
 * and Fastify answers anything larger (or any error a route throws) in JSON, which S3 clients
 * cannot parse. Its catch-all parser is replaced by the same one with the largest limit a Buffer
 * allows (the endpoint refuses what S3 or the sandbox cannot take before the body is read), and
 * errors on S3 requests are answered in S3's XML. Its parsers of SQS's and SNS's content types
 * parse only those services' calls: an object put with such a content type (a form's, a JSON
 * API's) keeps its bytes, as S3 keeps any body.
 */
function acceptS3Bodies(app: FastifyInstance): void {
  app.addContentTypeParser("*", { parseAs: "buffer", bodyLimit: bufferConstants.MAX_LENGTH }, (_request, body, done) => done(null, body));
  const serviceParsers: Array<[string, (text: string) => unknown]> = [
    ["application/x-amz-json-1.0", (text) => JSON.parse(text)],
    ["application/x-www-form-urlencoded", (text) => Object.fromEntries(new URLSearchParams(text))],
  ];
  for (const [contentType, parse] of serviceParsers) {
    app.removeContentTypeParser(contentType);
    app.addContentTypeParser(contentType, { parseAs: "buffer", bodyLimit: bufferConstants.MAX_LENGTH }, (request, body, done) => {
      if (!serviceCall(request)) return done(null, body);
      try {
        done(null, parse((body as Buffer).toString("utf8")));
      } catch (error) {
        done(error as Error, undefined);
      }
    });
  }
  app.setErrorHandler((error: FastifyError, request, reply) => {
    // SQS, SNS and STS calls keep Fastify's own answers.
    if (serviceCall(request)) throw error;
    const answer = s3ErrorAnswer(error, request.headers);
    void reply.code(answer.status).headers(answer.headers).send(answer.body);
  });
}

/** An error raised on an S3 request around fauxqs' S3 routes, as S3 would word it. */
function s3ErrorAnswer(error: FastifyError, headers: IncomingMessage["headers"]): AwsErrorAnswer {
  if (error.code === "FST_ERR_CTP_BODY_TOO_LARGE" || error instanceof RangeError) {
    return sandboxCannotHold(
      declaredObjectSize(headers),
      `one Buffer of at most ${sandboxBodyLimit} bytes per request body, within the memory available to it (${error.message})`,
      "upload the object in smaller parts",
    );
  }
  return awsErrorAnswer("rest-xml", 500, "InternalError", `the sandbox's S3 (fauxqs) failed: ${error.message}`);
}

/** SQS's rule for message bodies: these characters, astral ones (emoji) included. */
const notInSqsBody = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

/**
 * fauxqs checks message bodies one UTF-16 unit at a time, so it refuses characters beyond U+FFFF
 * that SQS accepts. Its check (one shared RegExp of its own module) is given SQS's rule, so that a
 * function sends the sandbox exactly what it would send SQS.
 */
async function acceptWhatSqsAccepts(): Promise<void> {
  const types = await fauxqsModule<{ INVALID_MESSAGE_BODY_CHAR: RegExp }>("sqs", "sqsTypes.js");
  types.INVALID_MESSAGE_BODY_CHAR.test = (text: string) => notInSqsBody.test(text);
}

/**
 * Fastify requires its two schema compilers (ajv and fast-json-stringify, about 0.1 s: a tenth of
 * a restart) as it builds an app, and calls them only for a route that declares a schema; fauxqs
 * declares none. Each is put in Node's module cache as a stand-in that loads the real one when
 * first called, and hands every call on to it.
 */
function loadSchemaCompilersOnUse(): void {
  const fromFastify = createRequire(createRequire(join(fauxqsFolder(), "package.json")).resolve("fastify"));
  for (const name of ["@fastify/ajv-compiler", "@fastify/fast-json-stringify-compiler"]) {
    const path = fromFastify.resolve(name);
    if (fromFastify.cache[path]) continue;
    type Selector = (...options: unknown[]) => (...schemas: unknown[]) => unknown;
    let real: Selector | undefined;
    const load = (): Selector => {
      if (!real) {
        delete fromFastify.cache[path];
        real = fromFastify(name) as Selector;
      }
      return real;
    };
    // What fastify does with it: calls it once per app for a builder, and the builder per schema.
    const standIn: Selector = (...options) => {
      let builder: ReturnType<Selector> | undefined;
      return (...schemas) => (builder ??= load()(...options))(...schemas);
    };
    fromFastify.cache[path] = { id: path, filename: path, loaded: true, exports: standIn } as unknown as NodeJS.Module;
  }
}

/** Where fauxqs is installed: its modules are loaded by path, as its package exports only its app. */
function fauxqsFolder(): string {
  const search = createRequire(__filename).resolve.paths("fauxqs") ?? [];
  const folder = search.map((dir) => join(dir, "fauxqs")).find((dir) => existsSync(join(dir, "dist", "sqs", "sqsTypes.js")));
  if (!folder) throw new Error("fauxqs is not installed: run npm ci");
  return realpathSync(folder);
}
