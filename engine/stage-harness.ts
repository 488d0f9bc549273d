/**
 * Runs one stage over an array and collects what comes out: how every stage is unit-tested
 * (arrays in, arrays out), through the same stage application as the runner (stage-apply.ts).
 */
import { Drop, type Rec, type Row, type Stage } from './types.ts';
import { applyStage, flushStage, route } from './stage-apply.ts';

export interface StageResult { out: Rec[]; drops: Drop[] }

export function recs(rows: Row[], file = 'input'): Rec[] {
  return rows.map((data, i) => ({ data, origin: `${file}:${i + 1}` }));
}

export async function runStage(stage: Stage, input: Rec[] | Row[]): Promise<StageResult> {
  const items: Rec[] = input.length && !('origin' in (input[0] as object) && 'data' in (input[0] as object))
    ? recs(input as Row[]) : (input as Rec[]);
  const res: StageResult = { out: [], drops: [] };
  const onDrop = (d: Drop) => { res.drops.push(d); };
  await stage.open?.();
  res.out.push(...await applyStage(stage, items, onDrop));
  for await (const batch of flushStage(stage)) route(batch, res.out, onDrop);
  await stage.close?.();
  return res;
}
