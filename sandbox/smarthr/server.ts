/**
 * A local SmartHR API on 127.0.0.1: the read and write endpoints the ETL uses, SmartHR's paging and
 * rate-limit headers, 401 for a wrong token, and seeded fault injection. Usable from code
 * (`startSmarthrSandbox`) and from the CLI (`renkei sandbox smarthr`).
 */
import type http from 'node:http';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { generateTenant } from '../generate/tenant.ts';
import { createRng } from '../generate/prng.ts';
import { Renderer } from './render.ts';
import { loadState, saveState, type SmarthrState } from './state.ts';
import { ApiError, ERRORS, errorBody, readJson, sendError, sendText } from './http-util.ts';
import { CrewLists, readRoute, type Reply } from './routes-read.ts';
import { writeRoute } from './routes-write.ts';
import { SandboxKit, faultOptions, listen, type Dialect, type FaultOptions } from '../shared/kit.ts';
import type { SandboxStats } from '../shared/stats.ts';

export interface SmarthrSandboxOptions extends FaultOptions {
  port?: number;
  /** Crews to generate when no state is given or loaded. */
  employees?: number;
  seed?: string | number;
  departmentDepth?: number;
  /** Append the crews and departments that exercise every Mikiwame rule (sandbox/generate/rule-cases.ts). */
  ruleCases?: boolean;
  /** Server limit in requests per second (token bucket of that size); 0 = unlimited. Default 10. */
  rateLimit?: number;
  /** Send x-rate-limit-* headers (default true); false = a limit clients learn of only from 429s. */
  rateLimitHeaders?: boolean;
  /** State file: loaded when it exists, saved on stop() and save(). */
  statePath?: string;
  /** Use this state instead of generating one. */
  state?: SmarthrState;
  token?: string;
  /** Crew keys to leave out, as a token whose scope hides them would. */
  hiddenFields?: string[];
  /** Render every crew at start instead of on first read (so a benchmark measures the client). */
  prerender?: boolean;
  /** Pages of list endpoints that always answer 500 (to test a permanently failing page). */
  brokenPages?: number[];
}

export interface SmarthrSandbox {
  /** Base URL including `/api`, e.g. `http://127.0.0.1:4567/api`. */
  url: string;
  token: string;
  state: SmarthrState;
  stats: SandboxStats;
  /** Change the state as a person using SmartHR's screens would (tests): caches are dropped, no write is counted. */
  edit(fn: (state: SmarthrState) => void): void;
  /** The token stops working from now on (401 unauthorized_token), as when an admin revokes it mid-run. */
  revokeToken(): void;
  save(): void;
  stop(): Promise<void>;
}

/** SmartHR's wording of the replies the shared kit makes (429, 500, 503). */
const smarthrDialect: Dialect = {
  error(kind, message) {
    const type = kind === 'rate_limited' ? 'too_many_requests' : kind === 'internal' ? 'internal_server_error' : 'service_maintenance';
    return { status: ERRORS[type][0], body: errorBody(type, message) };
  },
};

export async function startSmarthrSandbox(opts: SmarthrSandboxOptions = {}): Promise<SmarthrSandbox> {
  const seed = opts.seed ?? 1;
  const state = opts.state
    ?? (opts.statePath && fs.existsSync(opts.statePath) ? loadState(opts.statePath) : generateTenant({ employees: opts.employees ?? 100, seed, departmentDepth: opts.departmentDepth, ruleCases: opts.ruleCases }));
  let token = opts.token ?? crypto.randomBytes(24).toString('hex');
  const renderer = new Renderer(state, new Set(opts.hiddenFields ?? []));
  if (opts.prerender) renderer.warm();
  const kit = new SandboxKit({ rateLimit: opts.rateLimit ?? 10, rateLimitHeaders: opts.rateLimitHeaders, ...faultOptions(opts), seed, dialect: smarthrDialect });
  const stats = kit.stats;
  const lists = new CrewLists();
  const writeRng = createRng(`writes:${seed}`);
  const broken = new Set(opts.brokenPages ?? []);
  let version = 0;
  let base = '';

  const authorized = (req: http.IncomingMessage): boolean => {
    const h = req.headers.authorization ?? '';
    if (h.startsWith('Bearer ')) return h.slice(7) === token;
    if (h.startsWith('Basic ')) return Buffer.from(h.slice(6), 'base64').toString().split(':')[0] === token;
    return false;
  };

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', base);
    const method = req.method ?? 'GET';
    if (!url.pathname.startsWith('/api/')) throw new ApiError('not_found', 'not found');
    if (!authorized(req)) throw new ApiError('unauthorized_token', 'アクセストークンが不正です (invalid access token)');
    const admitted = await kit.admit(req, res);
    if (!admitted) return;
    const page = Number(url.searchParams.get('page') ?? '1');
    if (method === 'GET' && broken.has(page)) return sendText(res, 500, errorBody('internal_server_error', 'Internal Server Error'), admitted.headers);

    let reply: Reply | null;
    if (method === 'GET') reply = readRoute(state, renderer, lists, version, url, base);
    else {
      const body = await readJson(req);
      reply = writeRoute(state, renderer, writeRng, method, url.pathname, body, base);
      if (reply) { version++; stats.writes++; }
    }
    if (!reply) throw new ApiError('not_found', `${method} ${url.pathname} not found`);
    kit.send(res, reply, admitted);
  };

  const server = await listen(opts.port ?? 0, stats, handle, (res, e) => {
    if (e instanceof ApiError) return sendError(res, e);
    sendError(res, new ApiError('internal_server_error', e instanceof Error ? e.message : String(e)));
  });
  base = `http://127.0.0.1:${server.port}/api`;
  const save = (): void => { if (opts.statePath) saveState(opts.statePath, state); };
  return {
    url: base, token, state, stats, save,
    revokeToken() {
      token = crypto.randomBytes(24).toString('hex');
    },
    edit(fn) {
      fn(state);
      version++;
      for (const c of state.crews) renderer.invalidateCrew(c.id);
    },
    async stop() {
      await server.close();
      save();
    },
  };
}
