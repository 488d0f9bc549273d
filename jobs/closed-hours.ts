/**
 * K9 for jobs: a job whose pipeline talks to KING OF TIME never starts inside its closed hours; it
 * is deferred to the end of the window instead (the HTTP client still checks before every request).
 */
import type { LoadedPipeline } from '../config/load.ts';
import { availabilityWindows, closedAt, describeWindows, type AvailabilityWindows } from '../connections/http/windows.ts';
import { kingoftimeProfile } from '../connections/kingoftime/profile.ts';

/** The closed hours of every KING OF TIME component of the pipeline (its `closed_windows`, else the defaults). */
export function pipelineWindows(loaded: LoadedPipeline): AvailabilityWindows[] {
  const out: AvailabilityWindows[] = [];
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) { v.forEach(visit); return; }
    if (!v || typeof v !== 'object') return;
    const o = v as Record<string, unknown>;
    if (typeof o.type === 'string' && o.type.startsWith('kingoftime.')) {
      const base = kingoftimeProfile.windows!;
      out.push(Array.isArray(o.closed_windows) ? availabilityWindows(base.timeZone, o.closed_windows as string[], 'wait') : base);
    }
    for (const x of Object.values(o)) visit(x);
  };
  visit(loaded.config);
  return out;
}

/** When the pipeline may start, if `now` is inside a closed window of one of its APIs; else undefined. */
export function closedUntil(loaded: LoadedPipeline, now: Date): { until: Date; windows: string } | undefined {
  let t = now.getTime();
  let hit: AvailabilityWindows | undefined;
  // Windows of different components may adjoin: move past each until none is closed.
  for (let i = 0; i < 8; i++) {
    const ws = pipelineWindows(loaded);
    const c = ws.map((w) => ({ w, c: closedAt(w, t) })).find((x) => x.c);
    if (!c) break;
    hit = c.w;
    t += c.c!.opensInMs;
  }
  return hit ? { until: new Date(t), windows: describeWindows(hit) } : undefined;
}
