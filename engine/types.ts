/**
 * The record model and the component contracts every source, transform and sink implements.
 *
 * Records travel in batches (arrays) between stages; stages themselves are per-record functions.
 * A record that cannot go on becomes a {@link Drop} (data, not an exception) and is counted by outcome.
 */
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { Db } from '../db/connect.ts';

/** One row of data: field name → value. */
export type Row = Record<string, unknown>;

/**
 * The sync candidate contract: what a diff stage decided about a record, for the stages and sinks
 * after it. A diff stage produces it; REST sinks (create or update) and the planner (sync/) consume
 * it. The engine carries it with the record and never reads it.
 */
export interface SyncCandidate {
  /** New to the target, or changed (K5). Unchanged records never travel on: they are Drops. */
  status: 'new' | 'changed';
  /** Every differing field as old → new (changed records). */
  changes?: Array<{ field: string; old: unknown; new: unknown }>;
  /**
   * Target fields carried over for the sink, among them the target identity under the API
   * profile's identity field (SmartHR `id`, KING OF TIME `key`, Mikiwame `code`).
   */
  target?: Row;
  /** Fingerprint of the target record the diff compared against (apply re-checks it). */
  target_hash?: string;
}

/** A record in flight: its data and where it came from (`file.csv:12`, `page 3 #4`). */
export interface Rec {
  data: Row;
  /** Source position, kept through every stage so any error can point back to the input. */
  origin: string;
  /** Set by a diff stage (see {@link SyncCandidate}). */
  meta?: SyncCandidate;
}

/** Outcomes a record can end in besides being written. */
export type DropKind = 'rejected' | 'filtered' | 'unchanged';

/**
 * A record that leaves the stream: rejected (goes to the error sink), filtered (counted, with its
 * reason) or unchanged (nothing to write). Created with {@link reject}, {@link filtered}, {@link unchanged}.
 */
export class Drop {
  constructor(
    readonly kind: DropKind,
    /** Stable rule code, e.g. `MISSING_EMAIL`, `CSV_RAGGED_ROW`, `SINK_PG_ROW`. */
    readonly code: string,
    /** Readable message naming the field and value where there is one. */
    readonly message: string,
    /** Origin of the input (file:line, page:index). */
    readonly origin: string,
    /** The record's data as it was when dropped (or the raw text for unparseable input). */
    readonly data: Row | string | undefined,
    /** Field the problem is about, when there is one. */
    readonly field?: string,
    /** Stage name; filled in by the runner when a stage leaves it empty. */
    public stage = '',
  ) {}

  /**
   * A filtered record that is *excluded* rather than merely skipped (opted out, no match, out of the
   * reference date, a dropped duplicate): listed with its key and reason in the error file (outcome
   * `excluded`), the plan and the sync report, so "why is this person not in the target?" has an answer.
   */
  listed?: boolean;

  /**
   * For input that could not become a record (`data` is its raw text, e.g. a ragged CSV row): the
   * fields that were read from it, by column name, so its key is still shown (issue 14, finding 14).
   */
  read?: Row;
}

export const reject = (rec: Rec, code: string, message: string, field?: string): Drop =>
  new Drop('rejected', code, message, rec.origin, rec.data, field);
export const filtered = (rec: Rec, code: string, message: string, field?: string): Drop =>
  new Drop('filtered', code, message, rec.origin, rec.data, field);
/** A filtered record that is listed as excluded (see {@link Drop.listed}). */
export const excluded = (rec: Rec, code: string, message: string, field?: string): Drop =>
  Object.assign(filtered(rec, code, message, field), { listed: true });
export const unchanged = (rec: Rec, code = 'UNCHANGED', message = 'no differences'): Drop =>
  new Drop('unchanged', code, message, rec.origin, rec.data);

/** What a stage returns for one input record: 1→1, 1→N, or 1→0 (a Drop or null = consumed silently). */
export type Outcome = Rec | Drop | Array<Rec | Drop> | null;

/**
 * A transform stage. `process` is a plain function; stateful stages are closures created per run by
 * the factory, and emit what they held back from `flush` at end of input.
 * `open` runs before the first record (e.g. load a target snapshot); both may be async.
 */
export interface Stage {
  process(rec: Rec): Outcome | Promise<Outcome>;
  /** True for stages that may emit more records than they receive (1→N); the runner's G1 check allows it. */
  expands?: boolean;
  open?(): Promise<void>;
  flush?(): Array<Rec | Drop> | Promise<Array<Rec | Drop>> | AsyncIterable<Array<Rec | Drop>>;
  close?(): Promise<void>;
  /** Facts for the run report once input has ended (e.g. the reference date, the target's size and fingerprint). */
  facts?(): Record<string, unknown>;
}

/**
 * A source: an async iterable of batches. Items are records, or Drops for input that could not be
 * parsed (malformed CSV row, invalid JSON value) — those count as read and rejected.
 */
export interface Source {
  read(): AsyncIterable<Array<Rec | Drop>>;
  /** Free resources early (runner calls it on failure/abort). */
  close?(): Promise<void>;
  /** How far the read is when the source knows its size (bytes of a file), for progress and ETA. */
  progress?(): { done: number; total: number } | undefined;
}

/**
 * A sink. `write` returns the records it refused (as rejected Drops); the others are accepted and
 * become "written" once `close` resolves (data durable: COPY committed, HTTP acknowledged).
 * `abort` rolls back whatever is not committed.
 */
export interface Sink {
  /**
   * How the sink commits. `atomic`: nothing is visible in the target until `close` resolves, and
   * `abort` rolls everything back (PostgreSQL COPY in one transaction). `per-record`: each record is
   * durable in the target as soon as the target acknowledged it and cannot be rolled back (REST).
   */
  readonly commits: 'atomic' | 'per-record';
  /**
   * Records the target has acknowledged so far (`per-record` sinks). After a failed or interrupted
   * run these stay written and are reported as such; never count a write the target did not confirm.
   */
  acknowledged?(): number;
  /**
   * The sink can take part in a dry run (`ctx.rehearsal`): it does all its work — e.g. loads and
   * checks every row in a transaction — and then rolls back instead of committing, so a dry run's
   * counts are the real run's; a REST sink builds and checks each body but sends no write (the
   * connection's HTTP client answers writes itself). Sinks without it are left out of dry runs.
   */
  readonly rehearses?: boolean;
  open(): Promise<void>;
  write(batch: Rec[]): Promise<Drop[]>;
  /** Finish pending work (e.g. the last COPY segment) and return records refused late; called before close. */
  drain?(): Promise<Drop[]>;
  close(): Promise<void>;
  abort(error: unknown): Promise<void>;
}

/** The error sink receives rejected records (G2) and must keep every one of them. */
export interface ErrorSink {
  open(): Promise<void>;
  write(drops: Drop[]): Promise<void>;
  close(): Promise<void>;
  /** Where the errors went (file path), for the report; null while nothing was rejected. */
  readonly location: string | null;
}

/** Everything a component may use, injected by the runner (never singletons). */
export interface Ctx {
  runId: string;
  pipeline: string;
  logger: Logger;
  /** Directory of the pipeline file: relative paths in options resolve against it. */
  baseDir: string;
  /** Current time; tests inject a fixed clock. */
  now: () => Date;
  /** The state database (DATABASE_URL or the embedded server), opened lazily. */
  db: () => Promise<Db>;
  /** Aborted when the run fails or is interrupted. */
  signal: AbortSignal;
  /** Run options from the pipeline file. */
  options: RunOptions;
  /** Field names that identify a record (pipeline `key`), used in error rows and logs (G6). */
  key: string[];
  /** A dry run: sinks that can rehearse do everything but commit (see {@link Sink.rehearses}). */
  rehearsal?: boolean;
  /**
   * Something the person running the pipeline should read in the summary, not only in the log
   * (e.g. a linkage about to expire). Repeated messages are shown once.
   */
  notice?: (message: string) => void;
  /**
   * A `per-record` sink calls it for each record its target acknowledged (set for plan applies,
   * which record them so a plan's records are written once, G7; see engine/ack-ledger.ts).
   */
  acknowledge?: (rec: Rec) => void;
  /** Builds a source from any registered source config: for stages that read a second input (diff target, lookups). */
  createSource?: (config: { type: string } & Record<string, unknown>, ctx: Ctx) => Source;
}

/**
 * Factories that turn validated component configs into live components. The engine gets them from
 * its caller (config/registry.ts `components`), so it never imports a source, transform or sink.
 */
export interface Components {
  createSource(config: any, ctx: Ctx): Source;
  createStage(config: any, ctx: Ctx): Stage;
  createSink(config: any, ctx: Ctx): Sink;
  createErrorSink(config: any, ctx: Ctx): ErrorSink;
}

/** Run option defaults, written once: the config schema and test contexts both use them. */
export const RUN_OPTION_DEFAULTS = { batch_size: 1000, concurrency: 4 } as const;

export interface RunOptions {
  batch_size: number;
  concurrency: number;
  /** A field that a stage or sink names and no record carries stops the run instead of being a notice. */
  strict?: boolean;
  max_rejected?: number;
  max_rejected_ratio?: number;
}

/**
 * A registered component: its `type` name, zod options schema (with `type: z.literal(name)`), and
 * factory. Each folder lists its components in an explicit registry (`sources/index.ts`, ...).
 */
export interface Component<S extends z.ZodObject<any>, T> {
  type: string;
  description: string;
  schema: S;
  create(options: z.infer<S>, ctx: Ctx): T;
}

export type SourceComponent = Component<any, Source>;
export type StageComponent = Component<any, Stage>;
export type SinkComponent = Component<any, Sink>;
export type ErrorSinkComponent = Component<any, ErrorSink>;

/** Helper that keeps the literal types of a component definition. */
export function defineComponent<S extends z.ZodObject<any>, T>(c: Component<S, T>): Component<S, T> {
  return c;
}
