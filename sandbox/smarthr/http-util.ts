/** Small helpers for the sandbox's node:http handlers: JSON replies in SmartHR's error format. */
import type { IncomingMessage, ServerResponse } from 'node:http';

export const ERRORS = {
  bad_request: [400, 1], unauthorized_token: [401, 2], forbidden: [403, 3], not_found: [404, 4],
  internal_server_error: [500, 5], too_many_requests: [429, 6], plan_limit_exceeded: [403, 7],
  non_deletable_resource: [400, 8], service_maintenance: [503, 9],
} as const;
export type ErrorType = keyof typeof ERRORS;

export class ApiError extends Error {
  constructor(readonly type: ErrorType, message: string, readonly errors: Array<{ message: string; resource?: string; field?: string }> | null = null) {
    super(message);
  }
}

export function errorBody(type: ErrorType, message: string, errors: ApiError['errors'] = null): string {
  return JSON.stringify({ code: ERRORS[type][1], type, message, errors });
}

export function sendText(res: ServerResponse, status: number, body: string | Buffer | Buffer[], headers: Record<string, string> = {}): void {
  const length = Array.isArray(body) ? body.reduce((n, b) => n + b.length, 0) : Buffer.byteLength(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': String(length), ...headers });
  if (!Array.isArray(body)) { res.end(body); return; }
  res.cork();
  for (const b of body) res.write(b);
  res.end();
  res.uncork();
}

export function sendError(res: ServerResponse, e: ApiError, headers: Record<string, string> = {}): void {
  sendText(res, ERRORS[e.type][0], errorBody(e.type, e.message, e.errors), headers);
}

export async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text) return {};
  try {
    const v = JSON.parse(text) as unknown;
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch { /* fall through */ }
  throw new ApiError('bad_request', 'リクエストボディが不正です (invalid JSON object)');
}
