/**
 * Infrastructure and configuration failures (bad records are Drops, not errors).
 * Codes are stable and asserted by tests; `transient` drives retries.
 */
export type ErrorCode =
  | 'CONFIG_INVALID'
  | 'USAGE'
  | 'SOURCE_IO'
  | 'SOURCE_HTTP'
  | 'SINK_PG'
  | 'SINK_HTTP'
  | 'ERROR_BUDGET'
  | 'CONSERVATION'
  | 'DB'
  | 'INTERNAL'
  | (string & {});

export class RenkeiError extends Error {
  readonly code: ErrorCode;
  readonly transient: boolean;
  constructor(code: ErrorCode, message: string, opts: { transient?: boolean; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'RenkeiError';
    this.code = code;
    this.transient = opts.transient ?? false;
  }
}

/** Configuration or usage problems: the CLI exits with 2. */
export class ConfigError extends RenkeiError {
  constructor(message: string, readonly details: string[] = []) {
    super('CONFIG_INVALID', details.length ? `${message}\n${details.map((d) => `  - ${d}`).join('\n')}` : message);
    this.name = 'ConfigError';
  }
}

export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}
