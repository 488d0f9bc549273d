/**
 * A run's row in `renkei_runs`: inserted `running`, its heartbeat renewed while the run lives (so a
 * run whose process died is found `abandoned`), its per-record errors stored (K10), and finished with
 * the report. Recording can be turned off (benchmarks, library use).
 */
import os from 'node:os';
import type { Logger } from 'pino';
import type { Db } from '../db/connect.ts';
import { HEARTBEAT_MS, ensureRunsTable, finishRun, heartbeat, insertRun, insertRunErrorChunk, reapAbandoned, runErrorElements, type RunKind, type StoredError, type RunMeta } from '../db/runs.ts';
import type { Drop } from './types.ts';
import type { RunReport } from './report.ts';
import { dropKey } from './keys.ts';
import { errorMessage } from './errors.ts';

function safeUser(): string {
  try { return os.userInfo().username; } catch { return 'unknown'; }
}

/** `cli:<user>`: who started a run when nobody said (`--started-by`); the user from `env`. */
export function defaultStartedBy(env: NodeJS.ProcessEnv = process.env): string {
  return `cli:${env.USER ?? env.USERNAME ?? safeUser()}`;
}

export interface RunRow { id: string; pipeline: string; configHash: string; startedAt: Date; dryRun: boolean; kind: RunKind; startedBy: string; meta?: RunMeta }

/**
 * A per-record message as the run table keeps it (G6): the key, field and code are kept; the record's
 * values are not — a rule's message quotes them (`email: "taro@@x"`), a database's lists the whole row
 * (`Failing row contains (E1, 山田, …)`). The values stay in the error CSV only, the operator's 0600 file.
 */
export function withoutValues(message: string, data: Drop['data'], key: string[]): string {
  let m = message;
  // Only messages that can list a row or a key's value pay for the two patterns.
  if (m.includes('Failing row contains (')) m = m.replace(/Failing row contains \(.*?\)(?=;|$)/gs, 'Failing row contains (…)');
  if (m.includes(')=(')) m = m.replace(/\(([^()]*)\)=\(([^()]*)\)/g, '($1)=(…)');
  if (typeof data === 'string') return data.length >= 2 && m.includes(data) ? m.split(data).join('…') : m;
  if (!data) return m;
  // A value that starts with a non-ASCII character (a name, an address) cannot be in a message made
  // of ASCII only: most messages are, and most of an HR record's values are Japanese.
  let ascii = !NON_ASCII.test(m);
  for (const k in data) {
    const v = data[k];
    const s = typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '';
    if (s.length < 2 || (ascii && s.charCodeAt(0) > 0x7f) || key.includes(k) || !m.includes(s)) continue;
    m = m.split(s).join('…');
    ascii = false; // … is not ASCII
  }
  return m;
}

const NON_ASCII = /[\u0080-\uffff]/;

/** Errors that may wait for the insert under way before a batch waits too (~150 bytes each). */
const MAX_QUEUED_ERRORS = 20_000;

export class RunRecorder {
  private timer: NodeJS.Timeout | undefined;
  /** The run's row exists (begin succeeded): only then is it finished in the table. */
  private inserted = false;
  /** The insert of errors under way, if any; errors arriving meanwhile wait in {@link queued}. */
  private inserting: Promise<void> | undefined;
  private queued: string[] = [];
  private queuedRows = 0;
  /** Errors handed over so far: the next one's `seq`. */
  private seq = 0;
  private insertFailed: unknown;

  constructor(private readonly db: () => Promise<Db>, private readonly enabled: boolean, private readonly runId: string, private readonly logger: Logger) {}

  async begin(row: RunRow): Promise<void> {
    if (!this.enabled) return;
    const { pool } = await this.db();
    await ensureRunsTable(pool, (message) => this.logger.warn({ event: 'state.migrating' }, message));
    // Runs whose process died are closed first, so guards and reports never count them as live.
    await reapAbandoned(pool);
    await insertRun(pool, row);
    this.inserted = true;
    this.timer = setInterval(() => {
      heartbeat(pool, this.runId).catch((e) => this.logger.warn({ err: errorMessage(e) }, 'could not renew the run heartbeat'));
    }, HEARTBEAT_MS);
    this.timer.unref();
  }

  /**
   * Per-record errors with their key (no record data, G6), for sync reports and --retry-failed. They
   * are stored while the records go on: one chunk at a time, and the errors of the batches that arrive
   * while it runs are sent together by the next (with most rows rejected, waiting for each batch's
   * insert left the run idle a tenth of its time). At most {@link MAX_QUEUED_ERRORS} wait, so memory
   * stays bounded; {@link settled} waits for all of them.
   */
  async errors(drops: Drop[], key: string[]): Promise<void> {
    if (!this.enabled || !this.inserted || drops.length === 0) return;
    const rows = drops.map((d): StoredError => [dropKey(d, key), d.code, withoutValues(d.message, d.data, key), d.stage, d.origin, d.kind === 'rejected' ? 'rejected' : 'excluded', d.field ?? null]);
    this.queued.push(runErrorElements(rows));
    this.seq += rows.length;
    this.queuedRows += rows.length;
    if (!this.inserting) this.insertQueued();
    while (this.queuedRows >= MAX_QUEUED_ERRORS && this.inserting) await this.inserting;
    if (this.insertFailed) throw this.insertFailed;
  }

  /** Waits for every error to be recorded; throws if recording any of them failed. */
  async settled(): Promise<void> {
    while (this.inserting) await this.inserting;
    if (this.insertFailed) throw this.insertFailed;
  }

  /** Sends the queued errors as one chunk; when it is stored, whatever queued meanwhile follows. */
  private insertQueued(): void {
    const elements = this.queued.join(',');
    const firstSeq = this.seq - this.queuedRows;
    this.queued = [];
    this.queuedRows = 0;
    this.inserting = (async () => {
      try {
        await insertRunErrorChunk((await this.db()).pool, this.runId, firstSeq, elements);
      } catch (e) {
        this.insertFailed ??= e;
      }
      this.inserting = undefined;
      if (this.queuedRows > 0 && !this.insertFailed) this.insertQueued();
    })();
  }

  async finish(report: RunReport): Promise<void> {
    clearInterval(this.timer);
    if (!this.enabled || !this.inserted) return;
    try {
      await finishRun((await this.db()).pool, report);
    } catch (e) {
      this.logger.error({ err: errorMessage(e) }, 'could not record the run in renkei_runs');
    }
  }
}
