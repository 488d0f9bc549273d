/** What the sandbox counts: requests per wall-clock second (by arrival), 429s, writes, faults. */
import type { Fault } from './faults.ts';

export class SandboxStats {
  requests = 0;
  tooMany = 0;
  writes = 0;
  /** Requests being answered right now, and the most at any moment since the last reset. */
  inFlight = 0;
  peakInFlight = 0;
  /** Requests whose handler is still at work (a slow answer goes on after its client gave up). */
  handling = 0;
  /** Every write a route answered (method, path, status), in order: what the target was asked to change. */
  readonly writeLog: Array<{ method: string; path: string; status: number }> = [];
  private perSec = new Map<number, number>();

  constructor(readonly faults: Readonly<Record<Fault, number>>) {}

  arrived(now = Date.now()): void {
    this.requests++;
    this.peakInFlight = Math.max(this.peakInFlight, ++this.inFlight);
    const s = Math.floor(now / 1000);
    this.perSec.set(s, (this.perSec.get(s) ?? 0) + 1);
  }

  /** A request was answered (or its connection closed). */
  left(): void {
    this.inFlight--;
  }

  /** Requests that arrived in each wall-clock second, in order. */
  perSecond(): number[] {
    return [...this.perSec.entries()].sort((a, b) => a[0] - b[0]).map(([, n]) => n);
  }

  get maxPerSecond(): number { return Math.max(0, ...this.perSecond()); }

  /** Resolves once no handler is at work (e.g. before comparing the state after a run). */
  async idle(): Promise<void> {
    while (this.handling > 0) await new Promise((r) => setTimeout(r, 10));
  }

  reset(): void { this.requests = 0; this.tooMany = 0; this.writes = 0; this.peakInFlight = this.inFlight; this.perSec.clear(); }
}
