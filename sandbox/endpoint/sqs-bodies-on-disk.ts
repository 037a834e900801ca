import { closeSync, mkdirSync, openSync, readSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";

/** A message as fauxqs 1.9 holds it (the fields it reads and sets; FIFO queues add their own). */
export interface QueuedMessage {
  messageId: string;
  body: string;
  sentTimestamp: number;
  approximateReceiveCount: number;
  messageAttributes?: Record<string, unknown>;
}

/** The parts of fauxqs' SQS queue this store reads: where its messages are, in each state. */
interface FauxqsQueue {
  enqueue(message: QueuedMessage): void;
  messages: QueuedMessage[];
  delayedMessages: QueuedMessage[];
  inflightMessages: Map<string, { message: QueuedMessage }>;
  fifoMessages: Map<string, QueuedMessage[]>;
  fifoDelayed: Map<string, QueuedMessage[]>;
}

/** The parts of fauxqs' SqsStore (1.9) the sandbox uses. */
export interface FauxqsSqsStore {
  queues: Map<string, FauxqsQueue>;
  queuesByName: Map<
    string,
    { inspectMessages(): { ready: QueuedMessage[]; delayed: QueuedMessage[]; inflight: Array<{ message: QueuedMessage }> } }
  >;
  createQueue(...args: unknown[]): FauxqsQueue;
}

export type FauxqsSqsStoreClass = new () => FauxqsSqsStore;

/** One file of bodies, appended one after the other and read back by offset. */
interface BodyFile {
  path: string;
  fd: number;
  size: number;
}

/**
 * A queued message whose body is in a file. Every other field is the message's own (fauxqs
 * counts receives and sets timestamps on it as on its own messages); `body` is read back when
 * asked for: by a receive, by a look at the queue, in its JSON.
 */
class MessageOnDisk {
  readonly #file: BodyFile;
  readonly #offset: number;
  readonly #bytes: number;

  constructor(fields: Omit<QueuedMessage, "body">, file: BodyFile, offset: number, bytes: number) {
    Object.assign(this, fields);
    this.#file = file;
    this.#offset = offset;
    this.#bytes = bytes;
  }

  get file(): BodyFile {
    return this.#file;
  }

  get body(): string {
    const buffer = Buffer.allocUnsafe(this.#bytes);
    for (let read = 0; read < this.#bytes;) {
      const got = readSync(this.#file.fd, buffer, read, this.#bytes - read, this.#offset + read);
      if (got === 0) throw new Error(`${this.#file.path} ended before the body of a queued message`);
      read += got;
    }
    return buffer.toString("utf8");
  }

  /** fauxqs' inspection route (what `npm run dlq` reads) sends messages as JSON. */
  toJSON(): object {
    return { ...this, body: this.body };
  }
}

/**
 * fauxqs' SQS store with each message's body in a file under `dir` from the moment it is queued:
 * fauxqs holds every message whole in memory (about 830 bytes of heap for a 510-character body,
 * measured), and a large file's rows are queued much faster than they are consumed, so the queue
 * of one upload of 300,000 rows held 250 MB. Messages keep their ids, MD5s, attributes, order,
 * receive counts and visibility as fauxqs keeps them; only where the body is read from changes.
 * Bodies are appended to a file of up to `fileLimit` bytes; when it is full, the files no queued
 * message reads any more are removed.
 */
export function bodiesOnDisk(Store: FauxqsSqsStoreClass, dir: string, fileLimit = 64 * 1024 * 1024): FauxqsSqsStore & { close(): void } {
  mkdirSync(dir, { recursive: true });
  const files: BodyFile[] = [];
  let sequence = 0;
  const newFile = (): BodyFile => {
    const path = join(dir, `bodies-${++sequence}`);
    const file = { path, fd: openSync(path, "w+"), size: 0 };
    files.push(file);
    return file;
  };
  let current = newFile();

  class StoreOnDisk extends Store {
    createQueue(...args: unknown[]): FauxqsQueue {
      const queue = super.createQueue(...args);
      const enqueue = queue.enqueue.bind(queue);
      // A message moved to a dead-letter queue is queued again as it is: its body stays where it is.
      queue.enqueue = (message) => enqueue(message instanceof MessageOnDisk ? message : this.write(message));
      return queue;
    }

    private write(message: QueuedMessage): QueuedMessage {
      const { body, ...fields } = message;
      const bytes = Buffer.from(body, "utf8");
      if (current.size > 0 && current.size + bytes.length > fileLimit) {
        current = newFile();
        this.removeUnread();
      }
      const offset = current.size;
      for (let written = 0; written < bytes.length;)
        written += writeSync(current.fd, bytes, written, bytes.length - written, offset + written);
      current.size += bytes.length;
      return new MessageOnDisk(fields, current, offset, bytes.length) as unknown as QueuedMessage;
    }

    /** Removes the files whose bodies were all deleted (received and deleted, purged, expired). */
    private removeUnread(): void {
      const read = new Set<BodyFile>([current]);
      const note = (message: QueuedMessage) => {
        if (message instanceof MessageOnDisk) read.add(message.file);
      };
      for (const queue of this.queues.values()) {
        queue.messages.forEach(note);
        queue.delayedMessages.forEach(note);
        for (const { message } of queue.inflightMessages.values()) note(message);
        for (const group of [...queue.fifoMessages.values(), ...queue.fifoDelayed.values()]) group.forEach(note);
      }
      for (const file of files.filter((candidate) => !read.has(candidate))) {
        closeSync(file.fd);
        rmSync(file.path, { force: true });
        files.splice(files.indexOf(file), 1);
      }
    }

    /** Closes the files (the sandbox removes the directory after). */
    close(): void {
      for (const file of files.splice(0)) closeSync(file.fd);
    }
  }
  return new StoreOnDisk();
}
