/** How much each goal measures: the full run, `--quick`, and the test's smoke run differ only here. */
export interface Sizes {
  /** Rows of s3-to-sqs's two files (memory is compared between them, CPU on the bigger). */
  readonly s3ToSqsRows: readonly [number, number];
  /** Rows sent into fauxqs, batched and one by one. */
  readonly queueRows: number;
  readonly sqsToDynamoBatches: number;
  /** Fresh processes per handler and side for the cold start medians. */
  readonly coldStartReps: number;
  readonly sandboxStarts: number;
  /** Uploads through the sandbox, smallest first; each file is a prefix of the next. */
  readonly uploads: readonly number[];
  /** The upload after which the API is timed (the table then holds exactly that many items). */
  readonly apiItems: number;
  readonly apiRequests: number;
  readonly dynaliteItems: number;
  /** Architect's sandbox needs an npm install: only the full run compares with it. */
  readonly architect: boolean;
}

export const FULL: Sizes = {
  s3ToSqsRows: [100_000, 1_000_000],
  queueRows: 10_000,
  sqsToDynamoBatches: 500,
  coldStartReps: 7,
  sandboxStarts: 8,
  uploads: [1_000, 10_000, 300_000],
  apiItems: 10_000,
  apiRequests: 200,
  dynaliteItems: 5_000,
  architect: true,
};

export const QUICK: Sizes = {
  s3ToSqsRows: [10_000, 50_000],
  queueRows: 1_000,
  sqsToDynamoBatches: 100,
  coldStartReps: 3,
  sandboxStarts: 2,
  uploads: [1_000, 3_000],
  apiItems: 3_000,
  apiRequests: 50,
  dynaliteItems: 2_000,
  architect: false,
};

/** What every goal's measurement gets from bench/bench.ts. */
export interface BenchContext {
  readonly sizes: Sizes;
  /** A temporary directory of this run (generated files, bundles, sandbox state); removed at the end. */
  readonly work: string;
}
