/**
 * The postgres sink at work: one transaction per run, COPY in segments under savepoints, and the
 * isolation of refused rows. See postgres.ts for the behaviour seen from a pipeline.
 *
 * A segment is one COPY kept open across many `write` calls (so the server parses while we encode),
 * closed every `segmentRows` rows or at `drain`. Its records stay in memory until the server has
 * confirmed it, because a refused segment is rolled back to its savepoint and sent again in parts:
 * the part holding the row the server named (or halves, when it names none) until each bad row is
 * alone; only those are refused.
 *
 * Segments are pipelined: a segment's end (and, for upsert, its move into the target) is queued on
 * the connection without waiting, and the next segment is encoded and queued behind it, so the
 * server never idles at a segment boundary waiting for us and we never idle waiting for its verdict
 * (that wait was a fifth of a plain load's wall time). A segment's verdict is read when the segment
 * after it ends. When the server refused a row, everything queued behind the refused segment failed
 * with it ("current transaction is aborted"): the transaction is rolled back to the refused segment's
 * savepoint, its rows are isolated as above, and the segment behind it is sent again. So at most two
 * segments of records are held in memory.
 *
 * Upsert into a table that is empty when the run starts COPYs straight into the table (one write,
 * no work table, no `INSERT … ON CONFLICT`: it measured twice as fast), for as long as no segment
 * meets a conflict. A segment the table refuses in that mode (a key seen earlier in the run, or any
 * other refused row) is rolled back and done again the general way — work table, last duplicate
 * wins, bad rows isolated — so the outcome is the same row for row; after the first key conflict the
 * rest of the run goes the general way.
 */
import pg from 'pg';
import type { Logger } from 'pino';
import { RenkeiError, errorMessage } from '../engine/errors.ts';
import { reject, type Drop, type Rec, type Sink } from '../engine/types.ts';
import { connectTimeoutMs, ident } from '../db/connect.ts';
import { CopyIn } from './pg-copy-in.ts';
import { CopyChunker, SlabPool, rowEncoder, type CopyColumn } from './pg-copy-text.ts';
import { SegmentRows } from './pg-segment-rows.ts';
import { valueChecker } from './pg-value-check.ts';
import { copyLine, isConnectionError, isRowError, refuse, type PgError } from './pg-errors.ts';
import {
  SEQ_COLUMN, checkColumns, createStaging, createTable, createWorkTable, findTable, swapIn, upsertSql, type Target,
} from './pg-target.ts';

export interface LoaderConfig {
  /** Connection string (secret: never logged). */
  url: string;
  table: string;
  mode: 'append' | 'replace' | 'upsert';
  key?: string[];
  columns: CopyColumn[];
  createTable: boolean;
  segmentRows: number;
  /** Shows in pg_stat_activity, so an operator (or a test) can find the sink's backend. */
  applicationName: string;
  logger: Logger;
  /** A dry run: everything is done — COPY, checks, the replace swap — and then rolled back, not committed. */
  rehearsal?: boolean;
}

/** A statement's outcome: undefined, or the error it ended with. Never rejects (so nothing queued goes unhandled). */
type Outcome = Promise<Error | undefined>;
const NO_ERROR: Outcome = Promise.resolve(undefined);
const yieldToIo = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

interface Segment {
  /** The rows sent, by origin and encoded line (pg-segment-rows.ts), until the server confirms them. */
  rows: SegmentRows;
  /** COPYed straight into the target (upsert into an empty table; see the header). */
  direct: boolean;
  copy: CopyIn;
  chunker: CopyChunker;
  /** `SAVEPOINT renkei_segment`, queued before the COPY. */
  before: Outcome;
  /** Once closed: the COPY's verdict, then the statements queued behind it (upsert's move, `RELEASE`). */
  after: Outcome[];
}

export class PgLoader implements Sink {
  readonly commits = 'atomic' as const;
  private client: pg.Client | undefined;
  private lost: Error | undefined;
  private failure: RenkeiError | undefined;
  private committing = false;
  private copySql = '';
  /** Upsert into a table empty at the start: COPY straight into it until the first conflict. */
  private directSql: string | undefined;
  private staging: Target | undefined;
  private target: Target | undefined;
  private moveSql: string | undefined;
  private workTable = '';
  private seg: Segment | undefined;
  /** The last segment's closing statement also opens the next segment's savepoint. */
  private savepointQueued = false;
  /** The closed segment whose verdict has not been read yet (see the header: pipelining). */
  private pending: Segment | undefined;
  /** Slabs of settled segments, for the chunkers of the next ones. */
  private readonly slabPool = new SlabPool();
  private drops: Drop[] = [];
  private segments = 0;
  private readonly encode: ReturnType<typeof rowEncoder>;
  private readonly encodeDirect: ReturnType<typeof rowEncoder>;
  private readonly fromFields: ReadonlySet<string>;
  private readonly check: ReturnType<typeof valueChecker>;

  constructor(private readonly cfg: LoaderConfig) {
    this.encode = rowEncoder(cfg.columns, cfg.mode === 'upsert');
    this.encodeDirect = rowEncoder(cfg.columns);
    this.fromFields = new Set(cfg.columns.map((c) => c.from));
    this.check = valueChecker(cfg.columns);
  }

  async open(): Promise<void> {
    const c = new pg.Client({ connectionString: this.cfg.url, connectionTimeoutMillis: connectTimeoutMs(this.cfg.url), application_name: this.cfg.applicationName });
    c.on('error', (e) => { this.lost ??= e; });
    c.on('end', () => { this.lost ??= new Error('Connection terminated'); });
    try {
      await c.connect();
    } catch (e) {
      throw new RenkeiError('SINK_PG', `cannot connect to the database to load table ${this.cfg.table}: ${errorMessage(e)}`, { transient: true, cause: e });
    }
    this.client = c;
    try {
      await this.prepare(c);
    } catch (e) {
      throw this.fail(e);
    }
  }

  private async prepare(c: pg.Client): Promise<void> {
    const { table, mode, columns, key } = this.cfg;
    await c.query('BEGIN');
    let t = await findTable(c, table);
    if (t) await checkColumns(c, t, columns);
    else if (this.cfg.createTable) t = await createTable(c, table, columns, mode === 'upsert' ? key : undefined);
    else throw new RenkeiError('SINK_PG', `table ${table} does not exist (set create_table: true to create it)`);
    this.target = t;
    const cols = columns.map((col) => ident(col.name));
    let into = t.sql;
    // A table created by this run is invisible to others until commit: replace can fill it directly.
    if (mode === 'replace' && !t.created) {
      this.staging = await createStaging(c, t);
      into = this.staging.sql;
    }
    if (mode === 'upsert') {
      const { rows } = await c.query(`SELECT EXISTS (SELECT FROM ${t.sql}) AS has_rows`);
      if (!rows[0].has_rows) this.directSql = `COPY ${t.sql} (${cols.join(', ')}) FROM STDIN`;
      // A segment's work rows and their DISTINCT ON sort fit in memory instead of spilling to disk.
      await c.query(`SET LOCAL temp_buffers = '128MB'; SET LOCAL work_mem = '128MB'`);
      this.workTable = await createWorkTable(c, t, columns);
      into = this.workTable;
      cols.push(ident(SEQ_COLUMN));
      this.moveSql = upsertSql(t, this.workTable, columns, key ?? []);
      try {
        await c.query(this.moveSql); // on the empty work table: checks the key has a unique index, moves nothing
      } catch (e) {
        throw new RenkeiError('SINK_PG', `upsert into ${table} needs a primary key or unique index on (${(key ?? []).join(', ')}): ${errorMessage(e)}`, { cause: e });
      }
    }
    this.copySql = `COPY ${into} (${cols.join(', ')}) FROM STDIN`;
  }

  async write(batch: Rec[]): Promise<Drop[]> {
    this.ensureOk();
    try {
      const limit = this.cfg.segmentRows;
      for (const rec of batch) {
        // A value its column's type cannot take is refused here, without a server round trip.
        const bad = this.check(rec.data);
        if (bad) { this.drops.push(reject(rec, 'SINK_PG_ROW', `${bad.message}; column "${bad.column}"`, bad.field)); continue; }
        const seg = this.seg ?? this.startSegment();
        const chunk = seg.chunker.add(seg.direct ? this.encodeDirect(rec.data) : this.encode(rec.data, seg.rows.length));
        seg.rows.add(rec, seg.chunker);
        if (chunk && !seg.copy.error) {
          await seg.copy.write(chunk);
          // Let the connection's answers in: encoding never waits on I/O by itself, so without a
          // turn of the event loop the server would sit idle between a segment's end and the
          // next COPY until the next file read (measured: ~8 ms a segment).
          if (this.pending) await yieldToIo();
        }
        if (seg.rows.length >= limit) await this.rotate();
      }
      // Refused rows are read when a segment settles; a lost connection ends the run now.
      if (this.lost) throw this.lost;
    } catch (e) {
      throw this.fail(e);
    }
    return this.takeDrops();
  }

  /** Ends the open segment and returns every refused record not yet returned (called before close). */
  async drain(): Promise<Drop[]> {
    this.ensureOk();
    try {
      await this.settleAll();
    } catch (e) {
      throw this.fail(e);
    }
    return this.takeDrops();
  }

  async close(): Promise<void> {
    this.ensureOk();
    const c = this.client!;
    try {
      await this.settleAll();
      if (this.drops.length) {
        throw new RenkeiError('INTERNAL', `${this.drops.length} rows refused by table ${this.cfg.table} were never collected ` +
          '(drain() must be called before close()); nothing was committed');
      }
      if (this.staging) {
        const how = await swapIn(c, this.target!, this.staging);
        this.cfg.logger.debug({ table: this.cfg.table, swap: how }, 'replace: new table swapped in');
      }
      this.committing = true;
      await c.query(this.cfg.rehearsal ? 'ROLLBACK' : 'COMMIT');
      this.committing = false;
    } catch (e) {
      throw this.fail(e);
    }
    this.client = undefined;
    await c.end().catch(() => undefined);
  }

  async abort(_error: unknown): Promise<void> {
    const c = this.client;
    this.client = undefined;
    this.failure ??= new RenkeiError('SINK_PG', `load of table ${this.cfg.table} aborted; nothing was committed`);
    if (!c) return;
    // Mid-COPY the connection cannot take a ROLLBACK; closing it rolls the transaction back as well.
    const midCopy = (this.seg !== undefined && !this.seg.copy.error) || this.pending !== undefined;
    if (!this.lost && !midCopy) await c.query('ROLLBACK').catch(() => undefined);
    await c.end().catch(() => undefined);
  }

  /** Queues the segment's savepoint (unless the last segment's closing statement made it) and COPY. */
  private startSegment(): Segment {
    const before = this.savepointQueued ? NO_ERROR : this.send('SAVEPOINT renkei_segment');
    this.savepointQueued = false;
    const direct = this.directSql !== undefined;
    const copy = new CopyIn(this.client!, this.directSql ?? this.copySql);
    const rows = new SegmentRows(this.cfg.segmentRows, this.cfg.columns, this.fromFields);
    this.seg = { rows, direct, copy, chunker: new CopyChunker(this.slabPool), before, after: [] };
    return this.seg;
  }

  /** A statement queued on the connection; its outcome is read later (see {@link Outcome}). */
  private send(sql: string): Outcome {
    return this.client!.query(sql).then(() => undefined, (e: unknown) => e as Error);
  }

  /** Ends the open segment's COPY and queues what follows it, without waiting for the server. */
  private async endCopy(seg: Segment): Promise<void> {
    const rest = seg.chunker.take();
    if (rest) await seg.copy.write(rest);
    seg.after.push(seg.copy.end());
    // One statement, one round trip: node-postgres sends a query only when the one before has ended,
    // and each answer waits for the event loop, which the records keep busy — a round trip per
    // statement cost ~2.5 ms a segment. It also opens the next segment's savepoint.
    const then = ['RELEASE SAVEPOINT renkei_segment', 'SAVEPOINT renkei_segment'];
    if (this.moveSql && !seg.direct) then.unshift(...this.moveStatements());
    seg.after.push(this.send(then.join('; ')));
    this.savepointQueued = true;
  }

  /** The open segment is full: close it, then read the verdict of the one before it. */
  private async rotate(): Promise<void> {
    const seg = this.seg!;
    this.seg = undefined;
    await this.endCopy(seg);
    const prev = this.pending;
    this.pending = seg;
    if (prev) await this.settle(prev);
  }

  /** Closes the open segment and reads every verdict still due. */
  private async settleAll(): Promise<void> {
    if (this.seg) await this.rotate();
    const last = this.pending;
    if (last) await this.settle(last);
  }

  /**
   * Reads a closed segment's verdict. On a refused row, the statements queued behind it (the next
   * segment's, if any) failed with it: wait for them, roll back to the segment's savepoint, isolate
   * the bad rows, and send the next segment again, now alone.
   */
  private async settle(seg: Segment): Promise<void> {
    const next = this.pending === seg ? undefined : this.pending;
    if (this.pending === seg) this.pending = undefined;
    const c = this.client!;
    const first = await seg.before;
    if (first) throw first;
    const outcomes = await Promise.all(seg.after);
    const err = outcomes.find((e) => e !== undefined);
    this.segments++;
    if (!err) {
      this.cfg.logger.debug({ table: this.cfg.table, segment: this.segments, rows: seg.rows.length, refused: 0, direct: seg.direct }, 'segment loaded');
      seg.rows.release(this.slabPool);
      return;
    }
    this.assertRowError(err);
    if (next) {
      this.pending = undefined;
      await Promise.all([next.before, ...next.after]);
    }
    const before = this.drops.length;
    await c.query('ROLLBACK TO SAVEPOINT renkei_segment');
    if (seg.direct) {
      // Refused in direct mode: the general way decides (a repeated key is an update there).
      if ((err as PgError).code === '23505') this.directSql = undefined;
      const again = await this.attempt(seg.rows, 0, seg.rows.length, true);
      if (again) await this.isolate(seg.rows, 0, seg.rows.length, again, true);
    } else await this.isolate(seg.rows, 0, seg.rows.length, err);
    await c.query('RELEASE SAVEPOINT renkei_segment');
    this.savepointQueued = false; // the closing statement that would have opened it failed
    this.logRefused(before);
    seg.rows.release(this.slabPool);
    if (next) {
      await this.resend(next);
      next.rows.release(this.slabPool);
    }
  }

  /** A segment that failed only because the one before it did: sent again on its own. */
  private async resend(seg: Segment): Promise<void> {
    this.segments++;
    const before = this.drops.length;
    const err = await this.attempt(seg.rows, 0, seg.rows.length, seg.direct);
    if (err) await this.isolate(seg.rows, 0, seg.rows.length, err, seg.direct);
    if (this.drops.length > before) this.logRefused(before);
    else this.cfg.logger.debug({ table: this.cfg.table, segment: this.segments, rows: seg.rows.length, refused: 0, direct: false, resent: true }, 'segment loaded');
  }

  private logRefused(before: number): void {
    const refused = this.drops.slice(before);
    this.cfg.logger.info({ table: this.cfg.table, segment: this.segments, refused: refused.length,
      origins: refused.slice(0, 20).map((d) => d.origin) }, 'postgres refused rows; the rest of the segment was loaded');
    this.cfg.logger.debug({ table: this.cfg.table, segment: this.segments, refused: refused.length }, 'segment loaded');
  }

  /** Upsert: the work table's rows into the target (last duplicate wins), then empty the work table. */
  private moveStatements(): string[] {
    return [this.moveSql!, `TRUNCATE ${this.workTable}`];
  }

  /** Splits a refused range until every bad row is alone; good parts are loaded on the way. */
  private async isolate(rows: SegmentRows, lo: number, hi: number, err: Error, direct = false): Promise<void> {
    if (hi - lo === 1) {
      this.drops.push(refuse(rows.rec(lo), err, this.cfg.columns));
      return;
    }
    const line = copyLine(err);
    const parts: Array<[number, number]> = [];
    if (line !== undefined && line <= hi - lo) {
      const at = lo + line - 1;
      const mid = (at + 1 + hi) >> 1;
      parts.push([lo, at], [at, at + 1], [at + 1, mid], [mid, hi]);
    } else {
      const mid = (lo + hi) >> 1;
      parts.push([lo, mid], [mid, hi]);
    }
    for (const [a, b] of parts) {
      if (b <= a) continue;
      const e = await this.attempt(rows, a, b, direct);
      if (e) await this.isolate(rows, a, b, e, direct);
    }
  }

  /**
   * One COPY (and move, for upsert) of rows[a, b) under its own savepoint, the general way; returns
   * the row error, if any. Lines encoded for a direct COPY (no sequence column) get theirs here.
   */
  private async attempt(rows: SegmentRows, a: number, b: number, direct = false): Promise<Error | undefined> {
    const c = this.client!;
    await c.query('SAVEPOINT renkei_part');
    const copy = new CopyIn(c, this.copySql);
    if (direct && this.moveSql) {
      for (let i = a; i < b && !copy.error; i++) await copy.write(Buffer.from(`${rows.lineText(i)}\t${i}\n`));
    } else {
      for (const part of rows.lines(a, b)) {
        if (copy.error) break;
        await copy.write(part);
      }
    }
    let err = await copy.end();
    if (!err && this.moveSql) err = await this.send(this.moveStatements().join('; '));
    if (err) {
      this.assertRowError(err);
      await c.query('ROLLBACK TO SAVEPOINT renkei_part');
    }
    await c.query('RELEASE SAVEPOINT renkei_part');
    return err;
  }

  private assertRowError(err: Error): void {
    if (this.lost || !isRowError(err)) throw err;
  }

  private takeDrops(): Drop[] {
    const d = this.drops;
    this.drops = [];
    return d;
  }

  private ensureOk(): void {
    if (this.failure) throw this.failure;
    if (!this.client) throw new RenkeiError('INTERNAL', `postgres sink for ${this.cfg.table} is not open`);
  }

  /** Records the first failure as a RenkeiError (later calls rethrow it) and returns it. */
  private fail(e: unknown): RenkeiError {
    if (this.failure) return this.failure;
    const table = this.cfg.table;
    if (e instanceof RenkeiError) this.failure = e;
    else if (this.lost || isConnectionError(e)) {
      this.failure = new RenkeiError('SINK_PG', this.committing
        ? `connection lost while committing table ${table}; the outcome is unknown (${errorMessage(e)})`
        : `connection lost while loading table ${table}; nothing was committed (${errorMessage(e)})`, { transient: true, cause: e });
    } else {
      this.failure = new RenkeiError('SINK_PG', `loading table ${table} failed: ${errorMessage(e)}; nothing was committed`, { cause: e });
    }
    return this.failure;
  }
}
