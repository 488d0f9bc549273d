/**
 * An *excluded* record (issue 10 item 5): filtered — not synced, not an error in the data — but
 * listed with its key and reason code in the error file (outcome `excluded`), the plan and the sync
 * report. The helper lives in engine/types.ts (`excluded`, `Drop.listed`); re-exported for stages.
 */
import type { Drop } from '../../engine/types.ts';

export { excluded } from '../../engine/types.ts';
export type ListedDrop = Drop & { listed: true };
