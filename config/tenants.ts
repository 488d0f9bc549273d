/**
 * The tenants file (issue 15): the companies a nightly job serves — per company an id, a display
 * name, its connections, the pipelines to run with their `--param` values and `--set` overrides, a
 * cron schedule (Asia/Tokyo by default) and a mode (`run` applies, `plan` only plans for review).
 *
 * Connections are kept as written: `${ENV}` in a token or URL and `secret_file` references are
 * resolved by the worker that runs the job ({@link tenantEnv}), so the control commands (schedule,
 * enqueue, status) need no token, and no token ever reaches the job table.
 * Problems name the file, the line and the key path (exit 2), as the pipeline loader does.
 */
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { LineCounter, parseDocument, parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ConfigError } from '../engine/errors.ts';
import { describeIssue, formatPath, MAX_PIPELINE_BYTES, offsetOf, toJs } from './load.ts';
import { interpolate } from './interpolate.ts';

const ID = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;
const timeZone = z.string().refine((tz) => { try { new Intl.DateTimeFormat('en-US', { timeZone: tz }); return true; } catch { return false; } }, 'not an IANA time zone (e.g. Asia/Tokyo)');
const cron = z.string().refine((c) => /^(\S+\s+){4}\S+$/.test(c.trim()), 'expected a 5-field cron expression: minute hour day-of-month month day-of-week, e.g. "0 2 * * *"');

export const secretRefSchema = z.strictObject({
  secret_file: z.string().min(1).describe('A file holding the secret (relative to the tenants file): a YAML/JSON mapping read at `key`, or the whole file (trimmed) without `key`.'),
  key: z.string().min(1).optional().describe('The entry of a mapping file.'),
}).describe('A secret kept in a file (mode 0600) instead of the environment.');

const connectionSchema = z.strictObject({
  url: z.string().min(1).describe('Base URL of the API (`${ENV}` allowed).'),
  token: z.union([z.string().min(1), secretRefSchema]).describe('The access token: `${ENV}` (e.g. "${ACME_SMARTHR_TOKEN}") or a secret_file reference. Never written to the job table.'),
  rate_limit: z.number().positive().optional().describe('Requests per second this token may make (the pipelines\' rate_limit).'),
});

/** Which environment variables each connection kind feeds (the names the shipped pipelines read). */
export const CONNECTION_ENV = {
  smarthr: 'SMARTHR',
  kingoftime: 'KOT',
  mikiwame: 'MIKIWAME',
} as const;
export type ConnectionKind = keyof typeof CONNECTION_ENV;

const scheduleSchema = z.strictObject({
  cron: cron.describe('When to run: a cron expression (5 fields) in `time_zone`.'),
  time_zone: timeZone.default('Asia/Tokyo').describe('Time zone of the cron expression.'),
});

const pipelineRefSchema = z.strictObject({
  file: z.string().min(1).describe('The pipeline file (relative to the tenants file).'),
  id: z.string().regex(ID, 'letters, digits, _ and - only').optional().describe('Name of this pipeline in jobs and status (default: the file name without .yaml).'),
  params: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}).describe('`--param name=value` for this tenant.'),
  set: z.array(z.string().includes('=')).default([]).describe('`--set key.path=value` overrides for this tenant.'),
});

const modeSchema = z.enum(['run', 'plan']).describe('`run` plans and applies (guards still apply); `plan` only makes plans for people to review in the morning.');

export const tenantSchema = z.strictObject({
  id: z.string().regex(ID, 'letters, digits, _ and - only').describe('The company id: part of job keys, run names and logs.'),
  name: z.string().min(1).describe('Display name (people, status).'),
  connections: z.strictObject({
    smarthr: connectionSchema.optional(),
    kingoftime: connectionSchema.optional(),
    mikiwame: connectionSchema.optional(),
  }).default({}).describe('Per API: url, token, rate_limit — given to the pipelines as SMARTHR_URL / SMARTHR_TOKEN / SMARTHR_RATE_LIMIT (KOT_…, MIKIWAME_…).'),
  env: z.record(z.string().regex(/^[A-Z_][A-Z0-9_]*$/), z.string()).default({}).describe('Other variables the pipelines read (e.g. HR_MASTER), `${ENV}` allowed.'),
  pipelines: z.array(pipelineRefSchema).min(1).optional().describe('The pipelines to run for this company (default: defaults.pipelines).'),
  schedule: scheduleSchema.optional().describe('Override of defaults.schedule.'),
  mode: modeSchema.optional().describe('Override of defaults.mode.'),
  enabled: z.boolean().default(true).describe('false: keep the company in the file but schedule and enqueue nothing for it.'),
});

export function tenantsFileSchema() {
  return z.strictObject({
    defaults: z.strictObject({
      pipelines: z.array(pipelineRefSchema).default([]).describe('Pipelines of every company that lists none.'),
      schedule: scheduleSchema.optional().describe('Schedule of every company that gives none.'),
      mode: modeSchema.default('run'),
    }).prefault({}),
    tenants: z.array(tenantSchema).min(1).describe('The companies.'),
  });
}

export type TenantConfig = z.output<typeof tenantSchema>;
export type PipelineRef = z.output<typeof pipelineRefSchema>;

/** One company with the defaults applied. */
export interface Tenant extends Omit<TenantConfig, 'pipelines' | 'schedule' | 'mode'> {
  pipelines: Array<PipelineRef & { id: string; path: string }>;
  schedule?: { cron: string; time_zone: string };
  mode: 'run' | 'plan';
  /** `file:line` of the tenant's entry, for messages. */
  at: string;
}

export interface TenantsFile { file: string; baseDir: string; tenants: Tenant[] }

export function tenantsJsonSchema(): unknown {
  const js = z.toJSONSchema(tenantsFileSchema(), { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return { $id: 'https://renkei.dev/schema/tenants.json', title: 'renkei tenants file', ...js };
}

export function loadTenants(file: string): TenantsFile {
  let text: string;
  try {
    if (fs.statSync(file).size > MAX_PIPELINE_BYTES * 16) throw new ConfigError(`${file}: too large for a tenants file`);
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    throw new ConfigError(`cannot read tenants file ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, uniqueKeys: true, merge: true });
  const at = (offset: number | undefined) => (offset === undefined ? file : `${file}:${lc.linePos(offset).line}`);
  const problems = doc.errors.map((e) => `${file}:${e.linePos?.[0].line ?? '?'}: ${e.message.split('\n')[0]}`);
  if (problems.length) throw new ConfigError(`invalid YAML in ${file}`, problems);
  const raw = toJs(doc, file) as Record<string, unknown>;
  for (const k of Object.keys(raw ?? {})) if (k.startsWith('x-')) delete raw[k];
  const schema = tenantsFileSchema();
  const r = schema.safeParse(raw);
  if (!r.success) throw new ConfigError(`${file}: tenants file problems`, r.error.issues.map((i) => describeIssue(i, doc, at, { schema, raw })));
  const baseDir = path.dirname(path.resolve(file));
  const seen = new Map<string, string>();
  const tenants: Tenant[] = r.data.tenants.map((t, i) => {
    const where = at(offsetOf(doc, ['tenants', i]));
    if (seen.has(t.id)) problems.push(`${at(offsetOf(doc, ['tenants', i, 'id']))}: tenants[${i}].id: ${t.id} is already the id of the company at ${seen.get(t.id)}`);
    seen.set(t.id, where);
    const refs = t.pipelines ?? r.data.defaults.pipelines;
    if (refs.length === 0) problems.push(`${where}: tenants[${i}].pipelines: none listed here nor under defaults.pipelines`);
    const pipelines = refs.map((p, j) => {
      const p2 = path.resolve(baseDir, p.file);
      const id = p.id ?? path.basename(p.file).replace(/\.ya?ml$/i, '');
      if (!fs.existsSync(p2)) problems.push(`${at(offsetOf(doc, t.pipelines ? ['tenants', i, 'pipelines', j, 'file'] : ['defaults', 'pipelines', j, 'file']))}: ${formatPath(t.pipelines ? ['tenants', i, 'pipelines', j, 'file'] : ['defaults', 'pipelines', j, 'file'])}: no such file: ${p2}`);
      return { ...p, id, path: p2 };
    });
    const ids = pipelines.map((p) => p.id);
    const dup = ids.find((x, k) => ids.indexOf(x) !== k);
    if (dup) problems.push(`${where}: tenants[${i}].pipelines: two pipelines named ${dup} (give one an id:)`);
    return { ...t, pipelines, schedule: t.schedule ?? r.data.defaults.schedule, mode: t.mode ?? r.data.defaults.mode, at: where };
  });
  if (problems.length) throw new ConfigError(`${file}: tenants file problems`, problems);
  return { file: path.resolve(file), baseDir, tenants };
}

/** A digest naming a token without showing it (lock keys, logs): sha256 of the kind, URL and token. */
export function tokenDigest(kind: string, url: string, token: string): string {
  return crypto.createHash('sha256').update(`${kind}\n${url}\n${token}`).digest('hex').slice(0, 16);
}

export interface ResolvedTenant {
  /** The environment a pipeline of this tenant is loaded with (the worker's, plus the connections and env). */
  env: NodeJS.ProcessEnv;
  secrets: Set<string>;
  /** One digest per connection token (per-token serialisation). */
  tokens: Array<{ kind: ConnectionKind; digest: string }>;
}

/**
 * The tenant's connections and variables resolved in the worker's environment: `${ENV}` in values,
 * `secret_file` references read. A missing variable or file is a configuration error naming the entry.
 */
export function tenantEnv(t: Tenant, baseDir: string, env: NodeJS.ProcessEnv): ResolvedTenant {
  const problems: string[] = [];
  const secrets = new Set<string>();
  const out: NodeJS.ProcessEnv = { ...env };
  const resolve = (v: string, where: string): string => {
    const r = interpolate(v, env);
    for (const name of r.missing) problems.push(`${t.at}: tenant ${t.id}: ${where}: environment variable \${${name}} is not set`);
    return r.value;
  };
  const tokens: ResolvedTenant['tokens'] = [];
  for (const [kind, c] of Object.entries(t.connections) as Array<[ConnectionKind, z.output<typeof connectionSchema> | undefined]>) {
    if (!c) continue;
    const prefix = CONNECTION_ENV[kind];
    const url = resolve(c.url, `connections.${kind}.url`);
    const token = typeof c.token === 'string' ? resolve(c.token, `connections.${kind}.token`) : readSecret(c.token, baseDir, `${t.at}: tenant ${t.id}: connections.${kind}.token`, problems);
    if (token) secrets.add(token);
    out[`${prefix}_URL`] = url;
    out[`${prefix}_TOKEN`] = token;
    if (c.rate_limit !== undefined) out[`${prefix}_RATE_LIMIT`] = String(c.rate_limit);
    tokens.push({ kind, digest: tokenDigest(kind, url, token) });
  }
  for (const [k, v] of Object.entries(t.env)) out[k] = resolve(v, `env.${k}`);
  if (problems.length) throw new ConfigError(`tenant ${t.id}: connection problems`, problems);
  return { env: out, secrets, tokens };
}

function readSecret(ref: z.output<typeof secretRefSchema>, baseDir: string, where: string, problems: string[]): string {
  const file = path.resolve(baseDir, ref.secret_file);
  let text: string;
  try { text = fs.readFileSync(file, 'utf8'); } catch (e) {
    problems.push(`${where}: cannot read secret_file ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    return '';
  }
  if (!ref.key) return text.trim();
  let v: unknown;
  try { v = (parseYaml(text) as Record<string, unknown> | null)?.[ref.key]; } catch { v = undefined; }
  if (typeof v !== 'string' || !v) { problems.push(`${where}: secret_file ${file} has no text entry ${ref.key}`); return ''; }
  return v;
}
