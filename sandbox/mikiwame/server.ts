/**
 * A local Mikiwame API on 127.0.0.1, built on the shared sandbox kit (rate limit, seeded faults,
 * latency, stats): the modelled endpoints (routes.ts), Bearer auth, and a linkage that expires 90 days
 * after it was made (401 `linkage_expired`, L1/L2) on an injectable clock. Usable from code
 * (`startMikiwameSandbox`) and from the CLI (`renkei sandbox mikiwame`).
 */
import type http from 'node:http';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { createRng } from '../generate/prng.ts';
import { SandboxKit, faultOptions, listen, type Dialect, type FaultOptions } from '../shared/kit.ts';
import { readJsonObject, sendText } from '../shared/http.ts';
import type { SandboxStats } from '../shared/stats.ts';
import { MW_ERRORS, MwError } from './errors.ts';
import { generateMikiwame } from './generate.ts';
import { route } from './routes.ts';
import type { MikiwameState } from './state.ts';

export interface MikiwameSandboxOptions extends FaultOptions {
  port?: number;
  /** Employees to generate (0: an empty tenant, seeded through the write API). Default 0. */
  employees?: number;
  seed?: string | number;
  /** Server limit in requests per second; 0 = unlimited. Default 10. */
  rateLimit?: number;
  token?: string;
  /** The sandbox's clock (linkage expiry); default real time. */
  now?: () => Date;
  state?: MikiwameState;
  /** State file: loaded when it exists, saved on stop(). */
  statePath?: string;
}

export interface MikiwameSandbox {
  /** Base URL including `/api`. */
  url: string;
  token: string;
  state: MikiwameState;
  stats: SandboxStats;
  /** Requests that write (PUT/POST/PATCH other than the linkage), refused ones included. */
  writeRequests: number;
  stop(): Promise<void>;
}

const dialect: Dialect = {
  error(kind, message) {
    const type = kind === 'rate_limited' ? 'too_many_requests' : kind === 'internal' ? 'internal_server_error' : 'service_maintenance';
    return { status: MW_ERRORS[type][0], body: new MwError(type, message).body() };
  },
};

export async function startMikiwameSandbox(o: MikiwameSandboxOptions = {}): Promise<MikiwameSandbox> {
  const now = o.now ?? (() => new Date());
  const seed = o.seed ?? 1;
  const state = o.state
    ?? (o.statePath && fs.existsSync(o.statePath) ? JSON.parse(fs.readFileSync(o.statePath, 'utf8')) as MikiwameState : generateMikiwame({ employees: o.employees ?? 0, seed, now: now() }));
  const token = o.token ?? crypto.randomBytes(24).toString('hex');
  const kit = new SandboxKit({ rateLimit: o.rateLimit ?? 10, ...faultOptions(o), seed, dialect });
  const rng = createRng(`mikiwame-writes:${seed}`);
  let base = '';
  const sb = { writeRequests: 0 };

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', base);
    const method = req.method ?? 'GET';
    if (!url.pathname.startsWith('/api/')) throw new MwError('not_found', 'not found');
    if (req.headers.authorization !== `Bearer ${token}`) throw new MwError('unauthorized_token', 'invalid token');
    const linkage = url.pathname === '/api/v1/linkage';
    if (method !== 'GET' && !linkage) sb.writeRequests++;
    if (!linkage && Date.parse(state.linkage.expires_at) <= now().getTime()) {
      throw new MwError('linkage_expired', `連携の有効期限が切れています (the linkage expired on ${state.linkage.expires_at}); 再連携してください`);
    }
    const admitted = await kit.admit(req, res);
    if (!admitted) return;
    const body = method === 'GET' ? {} : await readJsonObject(req, () => new MwError('bad_request', 'invalid JSON object'), () => new MwError('payload_too_large', 'request body over 1 MiB'));
    const reply = route(state, rng, now, method, url, base, body);
    if (!reply) throw new MwError('not_found', `${method} ${url.pathname} not found`);
    if (method !== 'GET' && reply.status < 300) kit.stats.writes++;
    kit.send(res, reply, admitted);
  };

  const server = await listen(o.port ?? 0, kit.stats, handle, (res, e) => {
    const err = e instanceof MwError ? e : new MwError('internal_server_error', e instanceof Error ? e.message : String(e));
    sendText(res, err.status, err.body());
  });
  base = `http://127.0.0.1:${server.port}/api`;
  return {
    url: base, token, state, stats: kit.stats,
    get writeRequests() { return sb.writeRequests; },
    async stop() {
      await server.close();
      if (o.statePath) { fs.mkdirSync(path.dirname(path.resolve(o.statePath)), { recursive: true }); fs.writeFileSync(o.statePath, JSON.stringify(state)); }
    },
  };
}
