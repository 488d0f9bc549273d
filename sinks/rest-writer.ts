/**
 * The write loop shared by the REST sinks: one request per record, at most `concurrency` in flight
 * (p-limit), each failure turned into a Drop or a fatal error (rest-errors.ts). A sink's `write(batch)`
 * submits every record and then `settle`s, so it resolves only once every request of the batch has been
 * answered: what is not refused has been acknowledged by the target (G1).
 *
 * The target identity of a changed record is read through the API profile's identity field (SmartHR
 * `id`, KING OF TIME `key`), so the loop serves any API.
 *
 * Logs carry the record's key, the operation, the target id and the status — never bodies, names or
 * the token (G5, G6).
 */
import pLimit, { type LimitFunction } from 'p-limit';
import type { Logger } from 'pino';
import { Drop, unchanged, type Ctx, type Rec } from '../engine/types.ts';
import { keyOf } from '../engine/keys.ts';
import type { ApiProfile } from '../connections/http/profile.ts';
import { diffTarget, fatalWriteError, writeFailure, type WriteOp } from './rest-errors.ts';

/** Totals of one sink's run, logged at close. */
export interface WriteCounts { created: number; updated: number; refused: number; failed: number }

export class RestWriter {
  readonly counts: WriteCounts = { created: 0, updated: 0, refused: 0, failed: 0 };
  private readonly limit: LimitFunction;
  private readonly log: Logger;
  private drops: Drop[] = [];
  private fatal: unknown;

  constructor(private readonly ctx: Ctx, concurrency: number, private readonly profile: Pick<ApiProfile, 'identity'>) {
    this.limit = pLimit(concurrency);
    this.log = ctx.logger;
  }

  /** The record's key for messages and logs: the pipeline key, else its source position. */
  keyText(rec: Rec): string {
    const k = keyOf(rec.data, this.ctx.key);
    return k ? `${this.ctx.key.join('+')} ${k}` : rec.origin;
  }

  /**
   * The target identity to update the record by (the profile's identity field, carried by the diff
   * stage), `null` to create it, or a Drop when the diff stage or the identity is missing.
   */
  target(rec: Rec, key: string, fallback?: string): string | null | Drop {
    return diffTarget(rec, key, this.profile.identity, fallback);
  }

  /** Writes the target acknowledged (created + updated): these stay written whatever happens next. */
  get acknowledged(): number {
    return this.counts.created + this.counts.updated;
  }

  /** Records a Drop decided without a request (no diff, no target id, parent failed …). */
  drop(d: Drop): void {
    this.drops.push(d);
  }

  /**
   * Sends one write under the concurrency limit. Resolves to the target's id for the record
   * (`undefined` when the target did not say), or `null` when it was not written. Never rejects:
   * a fatal error is kept and thrown by {@link settle}; writes not started yet are then skipped.
   */
  send(rec: Rec, op: WriteOp, fn: () => Promise<string | undefined>): Promise<string | null | undefined> {
    return this.limit(async () => {
      if (this.fatal !== undefined || this.ctx.signal.aborted) return null;
      const key = this.keyText(rec);
      try {
        const id = await fn();
        this.counts[op === 'create' ? 'created' : 'updated']++;
        this.ctx.acknowledge?.(rec);
        this.log.debug({ key, op, id, status: 'ok' }, 'write acknowledged');
        return id;
      } catch (e) {
        try {
          const d = writeFailure(rec, e, op, key, this.ctx.signal);
          this.counts[d.code === 'TARGET_REFUSED' ? 'refused' : 'failed']++;
          this.log.warn({ key, op, status: 'rejected', code: d.code }, 'write not applied');
          this.drops.push(d);
        } catch (fatal) {
          this.fatal ??= fatal;
        }
        return null;
      }
    });
  }

  /** Waits for every given write; returns the Drops gathered since the last call, or throws a fatal error. */
  /**
   * The create-or-update loop of a REST sink: for each record of the batch, `create` when the diff
   * found no target (a write, or a Drop), else `update` with the target's identity (a write, a Drop,
   * or null when none of the changed fields is written by this sink). Resolves when every write of
   * the batch was answered, with the Drops.
   */
  async createOrUpdate(batch: Rec[], ops: {
    create(rec: Rec, key: string): (() => Promise<string | undefined>) | Drop;
    update(rec: Rec, id: string, key: string): (() => Promise<string | undefined>) | Drop | null;
  }): Promise<Drop[]> {
    const pending: Array<Promise<unknown>> = [];
    for (const rec of batch) {
      const key = this.keyText(rec);
      const id = this.target(rec, key);
      if (id instanceof Drop) { this.drop(id); continue; }
      const op = id === null ? 'create' : 'update';
      const w = id === null ? ops.create(rec, key) : ops.update(rec, id, key);
      if (w === null) { this.drop(unchanged(rec, 'NOTHING_TO_WRITE', 'none of the changed fields is written by this sink')); continue; }
      if (w instanceof Drop) { this.drop(w); continue; }
      pending.push(this.send(rec, op, w));
    }
    return this.settle(pending);
  }

  async settle(pending: Array<Promise<unknown>>): Promise<Drop[]> {
    await Promise.allSettled(pending);
    if (this.fatal !== undefined) throw fatalWriteError(this.fatal, this.ctx.signal);
    const out = this.drops;
    this.drops = [];
    return out;
  }

  /** Logs the totals; REST writes are not transactional, so this is all close has to do. */
  summary(event: string): void {
    this.log.info({ event, ...this.counts }, 'writes finished');
  }
}
