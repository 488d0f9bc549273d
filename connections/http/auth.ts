/**
 * Authentication strategies: the headers that prove who is calling, computed for every attempt (a
 * signature may cover the body or the time of sending). The credential is never logged: the client
 * logs method, path and status only.
 */

/** What an auth strategy may look at to build its headers. */
export interface AuthRequest { method: string; url: URL; body: Buffer | undefined }

export type AuthStrategy = (req: AuthRequest) => Record<string, string>;

/** `Authorization: Bearer <token>` (SmartHR, KING OF TIME). */
export const bearerAuth = (token: string): AuthStrategy => () => ({ authorization: `Bearer ${token}` });

/** No credentials (a public endpoint, or a receiver that checks something else). */
export const noAuth: AuthStrategy = () => ({});
