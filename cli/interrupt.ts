/**
 * Clean interruption: the first SIGINT (Ctrl-C) or SIGTERM aborts the run through its signal, so
 * PostgreSQL sinks roll back, REST sinks stop sending and the run is recorded `interrupted`; a second
 * one exits at once (the run is then found `abandoned` by the next command that looks).
 */
import type { CommandIO } from './command.ts';

/** Shell convention: 128 + the signal number (SIGINT 2 → 130, SIGTERM 15 → 143). */
export function exitCodeForSignal(sig: string | undefined): number {
  return sig === 'SIGINT' ? 130 : sig === 'SIGTERM' ? 143 : 1;
}

export async function withInterrupts<T>(io: CommandIO, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const abort = new AbortController();
  let received = 0;
  const on = (sig: NodeJS.Signals) => {
    received++;
    if (received > 1) {
      io.stderr.write(`renkei: ${sig} again: quitting now\n`);
      process.exit(exitCodeForSignal(sig));
    }
    io.stderr.write(`\nrenkei: ${sig} received: stopping cleanly (press Ctrl-C again to quit at once)\n`);
    abort.abort(sig);
  };
  process.on('SIGINT', on);
  process.on('SIGTERM', on);
  try {
    return await fn(abort.signal);
  } finally {
    process.off('SIGINT', on);
    process.off('SIGTERM', on);
  }
}
