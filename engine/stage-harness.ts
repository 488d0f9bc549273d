/**
 * Runs one stage over an array and collects what comes out: how every stage is unit-tested
 * (arrays in, arrays out), with the same semantics as the runner.
 */
import { Drop, type Rec, type Row, type Stage, type Outcome } from './types.ts';

export interface StageResult { out: Rec[]; drops: Drop[] }

export function recs(rows: Row[], file = 'input'): Rec[] {
  return rows.map((data, i) => ({ data, origin: `${file}:${i + 1}` }));
}

export function collect(o: Outcome, res: StageResult): void {
  if (o === null) return;
  if (Array.isArray(o)) { for (const x of o) collect(x, res); return; }
  if (o instanceof Drop) res.drops.push(o); else res.out.push(o);
}

export async function runStage(stage: Stage, input: Rec[] | Row[]): Promise<StageResult> {
  const items: Rec[] = input.length && !('origin' in (input[0] as object) && 'data' in (input[0] as object))
    ? recs(input as Row[]) : (input as Rec[]);
  const res: StageResult = { out: [], drops: [] };
  await stage.open?.();
  for (const r of items) collect(await stage.process(r), res);
  if (stage.flush) {
    const f = stage.flush();
    if (Symbol.asyncIterator in Object(f)) {
      for await (const batch of f as AsyncIterable<Array<Rec | Drop>>) collect(batch, res);
    } else collect(await (f as Array<Rec | Drop> | Promise<Array<Rec | Drop>>), res);
  }
  await stage.close?.();
  return res;
}
