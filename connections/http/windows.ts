/**
 * Availability windows: daily hours, in the API's time zone, during which the API refuses requests
 * (KING OF TIME: 08:30–10:00 and 17:30–18:30 Asia/Tokyo). The client checks them before every attempt
 * and never sends inside one: policy `wait` sleeps until the window ends, `fail` fails the request.
 */

/** What to do when a request falls inside closed hours. */
export type WindowPolicy = 'wait' | 'fail';

/** One closed period of the day, local minutes from midnight; `to` < `from` runs past midnight. */
export interface ClosedSpan { from: number; to: number; text: string }

export interface AvailabilityWindows {
  /** IANA time zone the hours are in, e.g. `Asia/Tokyo`. */
  timeZone: string;
  closed: readonly ClosedSpan[];
  policy: WindowPolicy;
}

/** Inside a window: which one, and how long until it ends. */
export interface ClosedNow { span: ClosedSpan; opensInMs: number }

const DAY_S = 24 * 3600;

function minutes(hhmm: string, spec: string): number {
  const m = /^([01]\d|2[0-4]):([0-5]\d)$/.exec(hhmm.trim());
  if (!m || (m[1] === '24' && m[2] !== '00')) throw new RangeError(`closed hours "${spec}": expected HH:MM-HH:MM (24-hour clock)`);
  return Number(m[1]) * 60 + Number(m[2]);
}

/**
 * Windows from `HH:MM-HH:MM` spans: `availabilityWindows('Asia/Tokyo', ['08:30-10:00', '17:30-18:30'], 'wait')`.
 * An unknown time zone or a malformed span throws here, when the profile is defined, not mid-run.
 */
export function availabilityWindows(timeZone: string, spans: readonly string[], policy: WindowPolicy): AvailabilityWindows {
  formatter(timeZone); // throws RangeError for an unknown zone
  const closed = spans.map((spec) => {
    const [from, to, extra] = spec.split('-');
    if (to === undefined || extra !== undefined) throw new RangeError(`closed hours "${spec}": expected HH:MM-HH:MM`);
    const span = { from: minutes(from, spec), to: minutes(to, spec) % (24 * 60), text: `${from.trim()}–${to.trim()}` };
    if (span.from === span.to) throw new RangeError(`closed hours "${spec}": a window must not be empty or the whole day`);
    return span;
  });
  return { timeZone, closed, policy };
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Seconds since local midnight in `timeZone` at `epochMs` (with the millisecond fraction). */
export function localSecondOfDay(timeZone: string, epochMs: number): number {
  const parts = formatter(timeZone).formatToParts(new Date(epochMs));
  const get = (type: string): number => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return get('hour') * 3600 + get('minute') * 60 + get('second') + (((epochMs % 1000) + 1000) % 1000) / 1000;
}

/**
 * The window `epochMs` falls in, or undefined when the API is open. The wait is computed in local
 * time; on a day whose clock shifts (daylight saving) it may be off by the shift, which is why the
 * client checks again after waiting instead of trusting it.
 */
export function closedAt(w: AvailabilityWindows, epochMs: number): ClosedNow | undefined {
  const t = localSecondOfDay(w.timeZone, epochMs);
  for (const span of w.closed) {
    const from = span.from * 60;
    const to = span.to * 60;
    const inside = from < to ? t >= from && t < to : t >= from || t < to;
    if (inside) return { span, opensInMs: Math.ceil((((to - t) % DAY_S) + DAY_S) % DAY_S * 1000) };
  }
  return undefined;
}

/** `08:30–10:00, 17:30–18:30 Asia/Tokyo`, for messages. */
export function describeWindows(w: AvailabilityWindows): string {
  return `${w.closed.map((s) => s.text).join(', ')} ${w.timeZone}`;
}
