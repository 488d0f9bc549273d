/**
 * A local KING OF TIME API on 127.0.0.1 (`startKingoftimeSandbox`, `renkei sandbox kingoftime`): the
 * endpoints of routes.ts under the edition's base path (`/v1.0`, or `/ohs/v1.0` for おまかせ はたラク
 * サポート), Bearer tokens, KOT error bodies, closed hours judged on an injectable wall clock (403 with
 * `errors[0].code` 104 inside them), a token limited to permitted IP addresses (403, code 105), and
 * the shared kit's rate limit (429 `{"code":"303"}`), faults and latency.
 *
 * The closed hours are checked with this file's own arithmetic — Tokyo is UTC+9 all year — not the
 * client's window code, so the two check each other.
 */
import type http from 'node:http';
import crypto from 'node:crypto';
import { readJsonObject } from '../shared/http.ts';
import { SandboxKit, faultOptions, listen, type Dialect, type FaultOptions } from '../shared/kit.ts';
import type { SandboxStats } from '../shared/stats.ts';
import { KOT_SANDBOX_EDITIONS, type KotEdition } from './editions.ts';
import { generateKotCompany } from './generate.ts';
import { KotError, kotErrorBody, route } from './routes.ts';
import type { KotState } from './state.ts';

export interface KingoftimeSandboxOptions extends FaultOptions {
  port?: number;
  /** Employees of the SmartHR tenant of the same seed this company mirrors (default 100). */
  employees?: number;
  seed?: string | number;
  edition?: KotEdition;
  /** Use this company instead of generating one. */
  state?: KotState;
  token?: string;
  /** The date generated KOT-only hires and resignations sit around (default: today on `now`). */
  around?: string;
  /** Wall clock (epoch ms) for closed hours and "today"; default the real time. */
  now?: () => number;
  /** Closed hours, `HH:MM-HH:MM` in Tokyo (default 08:30-10:00 and 17:30-18:30). */
  closedHours?: string[];
  /** Server limit in requests per second; 0 = unlimited (default 5). */
  rateLimit?: number;
  /** The token is refused as coming from an address it does not permit (403, code 105). */
  refuseIp?: boolean;
}

export interface KingoftimeSandbox {
  /** Base URL including the edition's base path, e.g. `http://127.0.0.1:4567/v1.0`. */
  url: string;
  token: string;
  state: KotState;
  stats: SandboxStats;
  /** Every request that reached the server: method, path with query, wall time (ms) and status. */
  requests: Array<{ method: string; path: string; wall: number; status: number }>;
  stop(): Promise<void>;
}

/** `errors[0].code` of a request from an address the token does not permit (the sandbox's choice of code). */
export const KOT_IP_REFUSED = 105;
const TOKYO_MIN = 9 * 60;

function spans(list: readonly string[]): Array<[number, number]> {
  return list.map((s) => {
    const m = /^(\d\d):(\d\d)-(\d\d):(\d\d)$/.exec(s);
    if (!m) throw new RangeError(`closed hours "${s}": expected HH:MM-HH:MM`);
    return [Number(m[1]) * 60 + Number(m[2]), Number(m[3]) * 60 + Number(m[4])];
  });
}

/** KOT's wording of the replies the shared kit makes: throttling as code 303 without `errors`. */
const kotDialect: Dialect = {
  closed: () => ({ status: 403, body: kotErrorBody(104, 'KING OF TIME は利用可能時間外です (outside available hours)') }),
  error(kind, message) {
    if (kind === 'rate_limited') return { status: 429, body: JSON.stringify({ code: '303', message: 'Too Many Requests' }) };
    return kind === 'internal' ? { status: 500, body: kotErrorBody(500, message) } : { status: 503, body: kotErrorBody(503, message) };
  },
};

export async function startKingoftimeSandbox(o: KingoftimeSandboxOptions = {}): Promise<KingoftimeSandbox> {
  const seed = o.seed ?? 1;
  const edition = o.edition ?? o.state?.edition ?? 'kingoftime';
  const wall = o.now ?? Date.now;
  const tokyoMinute = (): number => (((Math.floor(wall() / 60_000) + TOKYO_MIN) % 1440) + 1440) % 1440;
  const today = (): string => new Date(wall() + TOKYO_MIN * 60_000).toISOString().slice(0, 10);
  const state = o.state ?? generateKotCompany({ employees: o.employees ?? 100, seed, edition, around: o.around ?? today() });
  const closed = spans(o.closedHours ?? ['08:30-10:00', '17:30-18:30']);
  const { basePath, product } = KOT_SANDBOX_EDITIONS[edition];
  const token = o.token ?? crypto.randomBytes(24).toString('hex');
  const kit = new SandboxKit({ rateLimit: o.rateLimit ?? 5, rateLimitHeaders: false, ...faultOptions(o), seed, dialect: kotDialect });
  const requests: KingoftimeSandbox['requests'] = [];
  let serial = 0;
  const env = { state, seed, today, keySerial: () => String(++serial) };

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', 'http://sandbox');
    res.once('finish', () => requests.push({ method, path: url.pathname + url.search, wall: wall(), status: res.statusCode }));
    const m = tokyoMinute();
    if (closed.some(([from, to]) => (from < to ? m >= from && m < to : m >= from || m < to))) {
      throw new KotError(403, 104, `${product} は利用可能時間外です (outside available hours: ${(o.closedHours ?? ['08:30-10:00', '17:30-18:30']).join(', ')} JST)`);
    }
    if (req.headers.authorization !== `Bearer ${token}`) throw new KotError(401, 1, 'アクセストークンが不正です (invalid access token)');
    if (o.refuseIp) throw new KotError(403, KOT_IP_REFUSED, `許可されていないIPアドレスからのアクセスです (${req.socket.remoteAddress} is not a permitted address for this token)`);
    if (!url.pathname.startsWith(`${basePath}/`)) throw new KotError(404, 2, `not found: ${url.pathname} (${product} base path is ${basePath})`);
    const admitted = await kit.admit(req, res);
    if (!admitted) return;
    const body = method === 'POST' || method === 'PUT' ? await readJsonObject(req, () => new KotError(400, 3, 'リクエストボディが不正なJSONです'), () => new KotError(413, 3, 'リクエストボディが大きすぎます (over 1 MiB)')) : {};
    const reply = route(env, method, url.pathname.slice(basePath.length), url.searchParams, body);
    if (!reply) throw new KotError(404, 2, `${method} ${url.pathname}: not found`);
    if (method !== 'GET') kit.stats.writes++;
    kit.send(res, reply, admitted);
  };

  const server = await listen(o.port ?? 0, kit.stats, handle, (res, e) => {
    const err = e instanceof KotError ? e : new KotError(500, 500, e instanceof Error ? e.message : String(e));
    res.writeHead(err.status, { 'content-type': 'application/json; charset=utf-8' });
    res.end(kotErrorBody(err.code, err.message));
  });
  return {
    url: `http://127.0.0.1:${server.port}${basePath}`, token, state, stats: kit.stats, requests,
    stop: () => server.close(),
  };
}
