/**
 * An *excluded* record (item 5 of issue 10): filtered — not synced, not an error in the data — but
 * listed with its key and reason code in the error file (outcome `excluded`), the plan and the sync
 * report, so an operator can answer "why is this person not in the target?". The runner routes a
 * filtered Drop to the error sink when it is `listed`.
 */
import { filtered, type Drop, type Rec } from '../../engine/types.ts';

export type ListedDrop = Drop & { listed: true };

export function excluded(rec: Rec, code: string, message: string, field?: string): ListedDrop {
  return Object.assign(filtered(rec, code, message, field), { listed: true as const });
}
