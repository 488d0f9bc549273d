/**
 * Seeded fault injection: with probability `failRate` a request meets one of the faults real APIs
 * and proxies produce. The draw sequence is fixed by the seed, so a run's faults are reproducible.
 */
import { createRng, type Rng } from '../generate/prng.ts';

export type Fault = 'http500' | 'http502' | 'maintenance' | 'reset' | 'truncated' | 'slow';
const READ_FAULTS: Fault[] = ['http500', 'http502', 'maintenance', 'reset', 'truncated', 'slow'];
/** Writes only meet faults that guarantee the write was not applied, so a retry is safe. */
const WRITE_FAULTS: Fault[] = ['maintenance', 'slow'];

export class FaultInjector {
  private readonly rng: Rng;
  readonly counts: Record<Fault, number> = { http500: 0, http502: 0, maintenance: 0, reset: 0, truncated: 0, slow: 0 };

  constructor(private readonly failRate: number, seed: string | number) {
    this.rng = createRng(`faults:${seed}`);
  }

  draw(method: string): Fault | null {
    if (!(this.failRate > 0)) return null;
    if (this.rng.next() >= this.failRate) return null;
    const f = this.rng.pick(method === 'GET' ? READ_FAULTS : WRITE_FAULTS);
    this.counts[f]++;
    return f;
  }
}
