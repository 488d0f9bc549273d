/** node:http helpers every sandbox uses: JSON replies (corked when given in parts) and JSON bodies. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isUtf8 } from 'node:buffer';

export function sendText(res: ServerResponse, status: number, body: string | Buffer | Buffer[], headers: Record<string, string> = {}): void {
  const length = Array.isArray(body) ? body.reduce((n, b) => n + b.length, 0) : Buffer.byteLength(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': String(length), ...headers });
  if (!Array.isArray(body)) { res.end(body); return; }
  res.cork();
  for (const b of body) res.write(b);
  res.end();
  res.uncork();
}

/** Largest request body a sandbox reads (a real API refuses larger ones with 413). */
export const MAX_BODY_BYTES = 1024 * 1024;
/** Deepest nesting a sandbox accepts in a request body. */
const MAX_DEPTH = 64;

function tooDeep(v: unknown): boolean {
  const stack: Array<[unknown, number]> = [[v, 0]];
  while (stack.length) {
    const [x, d] = stack.pop()!;
    if (d > MAX_DEPTH) return true;
    if (x && typeof x === 'object') for (const y of Object.values(x)) if (y && typeof y === 'object') stack.push([y, d + 1]);
  }
  return false;
}

/**
 * The request body as a JSON object; `invalid()` makes the API's own 400 when it is not one (not
 * UTF-8, not JSON, not an object, nested deeper than 64), `tooLarge()` its 413 past MAX_BODY_BYTES
 * (the rest of the body is read but not kept).
 */
export async function readJsonObject(req: IncomingMessage, invalid: () => Error, tooLarge: () => Error = invalid): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    // Past the limit the rest is read and dropped (answering mid-upload would reset the client's socket).
    if (size <= MAX_BODY_BYTES) chunks.push(c as Buffer);
  }
  if (size > MAX_BODY_BYTES) throw tooLarge();
  const bytes = Buffer.concat(chunks);
  if (bytes.length === 0) return {};
  if (!isUtf8(bytes)) throw invalid();
  try {
    const v = JSON.parse(bytes.toString('utf8')) as unknown;
    if (v && typeof v === 'object' && !Array.isArray(v) && !tooDeep(v)) return v as Record<string, unknown>;
  } catch { /* fall through */ }
  throw invalid();
}
