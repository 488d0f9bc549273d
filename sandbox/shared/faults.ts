/**
 * Fault injection, two ways, both reproducible:
 * - random: with probability `failRate` a request meets one of the faults real APIs and proxies
 *   produce; the draw sequence is fixed by the seed;
 * - scripted: bursts that hit the n-th … (n+count-1)-th request of a kind (reads, writes, or any; an
 *   optional path fragment narrows it), e.g. a 429 storm on requests 3–8 or a reset on the 2nd write.
 *   A scripted burst wins over a random draw. The fault suite (test/faults/) drives these.
 *
 * Kinds: `http500`, `http502`, `maintenance` (503 + Retry-After), `http429` (the API's own rate-limit
 * refusal, its window said to reset now), `reset` (the connection dropped mid-body), `truncated` (the
 * body cut short, the connection closed cleanly), `short` (a list page answered with fewer records than
 * its total promises, valid JSON), `slow` (the answer held back `slowMs`: past a short client timeout),
 * `closed` (the API's closed-hours refusal; only an API with closed hours, KING OF TIME, has one).
 */
import { z } from 'zod';
import { createRng, type Rng } from '../generate/prng.ts';

export type Fault = 'http500' | 'http502' | 'maintenance' | 'reset' | 'truncated' | 'slow' | 'http429' | 'short' | 'closed';
const READ_FAULTS: Fault[] = ['http500', 'http502', 'maintenance', 'reset', 'truncated', 'slow'];
/** Random writes only meet faults that guarantee the write was not applied, so a retry is safe. */
const WRITE_FAULTS: Fault[] = ['maintenance', 'slow'];

/** A scripted run of one fault over consecutive matching requests. */
export interface FaultBurst {
  fault: Fault;
  /** The first matching request hit, 1-based. */
  from: number;
  /** How many consecutive matching requests are hit (default 1). */
  count?: number;
  /** Which requests count: `read` (GET, the default), `write` (any other method) or `any`. */
  on?: 'read' | 'write' | 'any';
  /** Only requests whose path contains this (e.g. `/v1/crews`). */
  path?: string;
  /** Only requests of this method (e.g. `POST`: creates, not updates). */
  method?: string;
}

const FAULTS = ['http500', 'http502', 'maintenance', 'reset', 'truncated', 'slow', 'http429', 'short', 'closed'] as const;

/** Scripted bursts as a user writes them (`renkei sandbox … --faults`): a JSON array of {@link FaultBurst}. */
export const faultBurstsSchema = z.array(z.strictObject({
  fault: z.enum(FAULTS),
  from: z.number().int().min(1),
  count: z.number().int().min(1).optional(),
  on: z.enum(['read', 'write', 'any']).optional(),
  path: z.string().min(1).optional(),
  method: z.string().regex(/^[A-Z]+$/).optional(),
})) satisfies z.ZodType<FaultBurst[]>;

export class FaultInjector {
  private readonly rng: Rng;
  private readonly seen: number[];
  readonly counts: Record<Fault, number> = { http500: 0, http502: 0, maintenance: 0, reset: 0, truncated: 0, slow: 0, http429: 0, short: 0, closed: 0 };

  constructor(private readonly failRate: number, seed: string | number, private readonly plan: readonly FaultBurst[] = []) {
    this.rng = createRng(`faults:${seed}`);
    this.seen = plan.map(() => 0);
  }

  draw(method: string, path = ''): Fault | null {
    const write = method !== 'GET';
    let scripted: Fault | null = null;
    this.plan.forEach((b, i) => {
      const on = b.on ?? 'read';
      if ((on === 'read' && write) || (on === 'write' && !write) || (b.path !== undefined && !path.includes(b.path)) || (b.method !== undefined && b.method !== method)) return;
      const n = ++this.seen[i];
      if (scripted === null && n >= b.from && n < b.from + (b.count ?? 1)) scripted = b.fault;
    });
    if (scripted !== null) {
      this.counts[scripted]++;
      return scripted;
    }
    if (!(this.failRate > 0)) return null;
    if (this.rng.next() >= this.failRate) return null;
    const f = this.rng.pick(write ? WRITE_FAULTS : READ_FAULTS);
    this.counts[f]++;
    return f;
  }
}
