/**
 * One pino logger per process, passed in through ctx; children bind run_id, pipeline and stage.
 * Secrets (G5) are removed twice: by key path (pino redact) and by value (every secret value known
 * to the run is scrubbed from each output line, whatever key or message it hides in).
 */
import pino, { type Logger, type DestinationStream } from 'pino';
import pinoPretty from 'pino-pretty';

export const REDACT_PATHS = [
  'token', '*.token', 'password', '*.password', 'authorization', '*.authorization', 'headers.authorization',
  'connection', '*.connection', 'url_with_secret', 'DATABASE_URL', '*.DATABASE_URL', 'secret', '*.secret',
];

export interface LoggerOptions {
  level?: string;
  format?: 'json' | 'pretty';
  /** Where lines go (default: stderr, so stdout stays free for command output). */
  destination?: DestinationStream | NodeJS.WritableStream;
  /** Secret values to scrub from every line; the set may grow after creation. */
  secrets?: Set<string>;
  /** Colours in pretty output (default: when stderr is a terminal). */
  colorize?: boolean;
}

/** Replace every known secret value in a string. Values shorter than 4 chars are ignored. */
export function scrub(line: string, secrets: Iterable<string>): string {
  let out = line;
  for (const s of secrets) {
    if (s.length >= 4 && out.includes(s)) out = out.split(s).join('[REDACTED]');
  }
  return out;
}

export function createLogger(opts: LoggerOptions = {}): Logger {
  const secrets = opts.secrets ?? new Set<string>();
  const base: pino.LoggerOptions = {
    level: opts.level ?? 'info',
    redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
    base: undefined,
    timestamp: pino.stdTimeFunctions.isoTime,
    hooks: { streamWrite: (s: string) => scrub(s, secrets) },
  };
  if (opts.format === 'pretty') {
    // pino-pretty in-process (no worker thread) so scrubbing still applies before formatting.
    const pretty = (pinoPretty as unknown as (o: object) => DestinationStream)({
      destination: (opts.destination as NodeJS.WritableStream) ?? process.stderr,
      colorize: opts.colorize ?? Boolean((process.stderr as NodeJS.WriteStream).isTTY),
      translateTime: 'SYS:HH:MM:ss.l',
      ignore: 'pipeline',
      sync: true,
    });
    return pino(base, pretty);
  }
  return pino(base, (opts.destination as DestinationStream) ?? pino.destination({ fd: 2, sync: true }));
}

