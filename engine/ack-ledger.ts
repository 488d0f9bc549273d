/**
 * Which records each sink's target acknowledged, handed to the caller as they become durable (plan
 * applies record them, G7). A `per-record` sink (REST) reports each acknowledged record through
 * `ctx.acknowledge` while it writes; they are handed over after every `write`, also one that failed,
 * so an interrupted or failed run leaves exactly those recorded. An `atomic` sink (PostgreSQL COPY in
 * one transaction) acknowledges nothing until `close` resolves: then every record it took and did
 * not refuse, all at once; after a rollback, none.
 */
import type { Drop, Rec } from './types.ts';

/** Receives the records a sink's target acknowledged; a rejection fails the run (per-record sinks). */
export type OnAcknowledged = (sink: string, recs: Rec[]) => Promise<void>;

export class AckLedger {
  private readonly pending = new Map<string, Rec[]>();
  private readonly taken = new Map<string, Rec[]>();
  private readonly refused = new Map<string, Set<unknown>>();

  constructor(private readonly on: OnAcknowledged) {}

  /** A per-record sink's target acknowledged `rec`. */
  ack(sink: string, rec: Rec): void {
    const list = this.pending.get(sink) ?? [];
    list.push(rec);
    this.pending.set(sink, list);
  }

  /** Hands over what per-record sinks acknowledged since the last call. */
  async flush(): Promise<void> {
    for (const [sink, recs] of this.pending) {
      if (recs.length === 0) continue;
      this.pending.set(sink, []);
      await this.on(sink, recs);
    }
  }

  /** An atomic sink took these records (nothing is durable before its commit). */
  took(sink: string, recs: Rec[]): void {
    const list = this.taken.get(sink) ?? [];
    for (const r of recs) list.push(r);
    this.taken.set(sink, list);
  }

  /** An atomic sink refused these (now or late): never acknowledged. */
  refusedBy(sink: string, drops: Drop[]): void {
    const set = this.refused.get(sink) ?? new Set<unknown>();
    for (const d of drops) set.add(d.data);
    this.refused.set(sink, set);
  }

  /** An atomic sink committed: every record it took and did not refuse is acknowledged. */
  async committed(sink: string): Promise<void> {
    const refused = this.refused.get(sink) ?? new Set<unknown>();
    const recs = (this.taken.get(sink) ?? []).filter((r) => !refused.has(r.data));
    this.taken.delete(sink);
    if (recs.length) await this.on(sink, recs);
  }
}
