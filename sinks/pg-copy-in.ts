/**
 * One `COPY … FROM STDIN` on a pg client, through pg-copy-streams, made safe to abandon.
 *
 * pg-copy-streams signals a server error (a refused row, a terminated backend) by emitting 'error'
 * and nulling its connection; reading its code, a chunk still queued behind socket backpressure
 * could then be flushed from a 'drain' listener onto the null connection and throw outside any
 * caller (not seen in our tests, but cheap to rule out). So on error the stream's connection is
 * swapped for an inert one, further writes are skipped, and every wait (drain, finish) also ends on
 * the error — a dead socket never emits 'drain'.
 * `end()` resolves only when the server has confirmed the COPY (ReadyForQuery), or with its error.
 */
import type pg from 'pg';
import copyStreams from 'pg-copy-streams';

/** Chunks queued in the stream before `write` waits for 'drain'. */
const HIGH_WATER = 512 * 1024;

const INERT_CONNECTION = {
  stream: { write: () => true, once: () => undefined },
  sendCopyFail: () => undefined,
};

interface CopyInternals { connection: unknown; handleError(e: unknown): void }

export class CopyIn {
  /** The server's (or the connection's) error, once one arrived. */
  error: Error | undefined;
  /** Rows the server reported for a completed COPY. */
  rowCount = 0;
  private readonly stream: ReturnType<typeof copyStreams.from>;
  private readonly failed: Promise<void>;

  constructor(client: pg.Client, sql: string) {
    const stream = copyStreams.from(sql, { highWaterMark: HIGH_WATER });
    this.stream = stream;
    let onFail!: () => void;
    this.failed = new Promise<void>((resolve) => { onFail = resolve; });
    const internals = stream as unknown as CopyInternals;
    const handleError = internals.handleError.bind(stream);
    internals.handleError = (e: unknown) => {
      handleError(e);
      internals.connection = INERT_CONNECTION;
    };
    stream.on('error', (e: Error) => {
      this.error ??= e;
      onFail();
    });
    client.query(stream);
  }

  /** Sends a chunk; waits while the stream is above its high-water mark. A no-op after an error. */
  async write(chunk: Buffer): Promise<void> {
    if (this.error) return;
    if (this.stream.write(chunk)) return;
    await this.until('drain');
  }

  /** Ends the COPY and waits for the server's verdict: undefined when committed to the (sub)transaction. */
  async end(): Promise<Error | undefined> {
    if (!this.error) {
      this.stream.end();
      await this.until('finish');
      this.rowCount = this.stream.rowCount;
    }
    return this.error;
  }

  private async until(event: 'drain' | 'finish'): Promise<void> {
    let listener!: () => void;
    const done = new Promise<void>((resolve) => { listener = resolve; this.stream.once(event, listener); });
    await Promise.race([done, this.failed]);
    this.stream.off(event, listener);
  }
}
