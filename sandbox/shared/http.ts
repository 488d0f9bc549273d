/** node:http helpers every sandbox uses: JSON replies (corked when given in parts) and JSON bodies. */
import type { IncomingMessage, ServerResponse } from 'node:http';

export function sendText(res: ServerResponse, status: number, body: string | Buffer | Buffer[], headers: Record<string, string> = {}): void {
  const length = Array.isArray(body) ? body.reduce((n, b) => n + b.length, 0) : Buffer.byteLength(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': String(length), ...headers });
  if (!Array.isArray(body)) { res.end(body); return; }
  res.cork();
  for (const b of body) res.write(b);
  res.end();
  res.uncork();
}

/** The request body as a JSON object; `invalid()` makes the API's own error when it is not one. */
export async function readJsonObject(req: IncomingMessage, invalid: () => Error): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text) return {};
  try {
    const v = JSON.parse(text) as unknown;
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch { /* fall through */ }
  throw invalid();
}
