/**
 * "Is this field name real?" A stage or sink that names fields watches the first records for them;
 * a field no record carries is most likely misspelled (a normalize that silently does nothing, a sink
 * column that loads NULL everywhere), so it becomes a notice in the run summary.
 */
import type { Ctx, Row } from './types.ts';
import { RenkeiError } from './errors.ts';

/** Watches up to `sample` records; returns `done` once every field was seen or the sample is full. */
export class FieldPresence {
  private readonly seen = new Set<string>();
  private n = 0;
  private reported = false;

  constructor(private readonly fields: readonly string[], private readonly ctx: Pick<Ctx, 'notice' | 'logger'> & { options?: { strict?: boolean } }, private readonly what: string, private readonly sample = 1000) {}

  /** Looks at one record; true once watching is over (the caller can stop calling). */
  see(d: Row): boolean {
    if (this.reported) return true;
    this.n++;
    for (const f of this.fields) if (d[f] !== undefined) this.seen.add(f);
    if (this.seen.size === this.fields.length || this.n >= this.sample) { this.report(); return true; }
    return false;
  }

  /** End of input (or of the sample): a notice per field no record carried. */
  report(): void {
    if (this.reported || this.n === 0) return;
    this.reported = true;
    const stage = String(this.ctx.logger.bindings().stage ?? 'a stage');
    for (const f of this.fields) {
      if (this.seen.has(f)) continue;
      const msg = `${stage}: ${this.what} ${JSON.stringify(f)}, which none of the first ${this.n.toLocaleString('en-US')} records has — a misspelled field name?`;
      // options.strict: a field no record has is a mistake to stop on, not a notice.
      if (this.ctx.options?.strict) throw new RenkeiError('FIELD_MISSING', `${msg} (options.strict)`);
      this.ctx.logger.warn({ field: f, records: this.n }, msg);
      this.ctx.notice?.(msg);
    }
  }
}
