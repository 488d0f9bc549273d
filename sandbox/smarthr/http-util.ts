/** SmartHR's error format for the sandbox's handlers (the JSON plumbing is shared: ../shared/http.ts). */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readJsonObject, sendText } from '../shared/http.ts';

export const ERRORS = {
  bad_request: [400, 1], unauthorized_token: [401, 2], forbidden: [403, 3], not_found: [404, 4],
  internal_server_error: [500, 5], too_many_requests: [429, 6], plan_limit_exceeded: [403, 7],
  non_deletable_resource: [400, 8], service_maintenance: [503, 9], payload_too_large: [413, 10],
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

export { sendText };

export function sendError(res: ServerResponse, e: ApiError, headers: Record<string, string> = {}): void {
  sendText(res, ERRORS[e.type][0], errorBody(e.type, e.message, e.errors), headers);
}

export function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  return readJsonObject(req, () => new ApiError('bad_request', 'リクエストボディが不正です (invalid JSON object)'),
    () => new ApiError('payload_too_large', 'リクエストボディが大きすぎます (request body too large)'));
}
