/**
 * Applying a stage to records: the one place that turns a stage's outcomes (a record, a Drop, an
 * array of both, or null) into records that go on and Drops that leave. The runner and the test
 * harness both use it, so a stage behaves the same in a unit test and in a run.
 */
import { Drop, type Outcome, type Rec, type Stage } from './types.ts';

export type DropHandler = (d: Drop) => void;

/** Splits one outcome into `out` (records that go on) and `onDrop` (records that leave). */
export function route(o: Outcome, out: Rec[], onDrop: DropHandler): void {
  if (o === null) return;
  if (o instanceof Drop) onDrop(o);
  else if (Array.isArray(o)) { for (const x of o) { if (x instanceof Drop) onDrop(x); else out.push(x); } }
  else out.push(o);
}

/** Runs `stage.process` over a batch, record by record; async results are awaited in order. */
export async function applyStage(stage: Stage, recs: Rec[], onDrop: DropHandler): Promise<Rec[]> {
  const next: Rec[] = [];
  for (const r of recs) {
    let o = stage.process(r);
    if (o !== null && typeof (o as Promise<unknown>).then === 'function') o = await o;
    route(o as Outcome, next, onDrop);
  }
  return next;
}

/** What a stage held back, emitted at end of input, as batches whatever form `flush` returns. */
export async function* flushStage(stage: Stage): AsyncIterable<Array<Rec | Drop>> {
  const f = stage.flush?.();
  if (!f) return;
  if (Symbol.asyncIterator in Object(f)) yield* f as AsyncIterable<Array<Rec | Drop>>;
  else yield await (f as Array<Rec | Drop> | Promise<Array<Rec | Drop>>);
}
