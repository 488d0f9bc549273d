/**
 * Reading a pipeline file: YAML (with positions) → `--set` overrides → `${ENV}` interpolation →
 * type check against the registries → zod validation. Every problem names the file, the line and
 * the key path; all problems are reported at once.
 */
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { LineCounter, parseDocument, isMap, isScalar, isSeq, visit, parse as parseYaml, type Document, type Node } from 'yaml';
import { isUtf8 } from 'node:buffer';
import type { z } from 'zod';
import { ConfigError } from '../engine/errors.ts';
import { scrub } from '../engine/logger.ts';
import { interpolate, SECRET_ENV, WHOLE_PARAM } from './interpolate.ts';
import { checkParam, declSchemaFor, describeParam, splitParamArg, type ParamsConfig, type ParamValue } from './params.ts';
import { pipelineSchema, type PipelineConfig } from './schema.ts';
import { keysAt } from './keys-at.ts';
import { didYouMean } from './suggest.ts';
import { components, registries } from './registry.ts';
import type { Components } from '../engine/types.ts';

export interface LoadedPipeline {
  file: string;
  baseDir: string;
  config: PipelineConfig;
  /** Secret values found in the config (interpolated from secret-looking variables or under secret keys). */
  secrets: Set<string>;
  /** sha256 of the validated config with secrets masked: tells whether two runs ran the same config. */
  hash: string;
  /**
   * The `--set` overrides it was loaded with, as they may be stored (a plan and the run table keep
   * them so apply loads the same config): a secret's value is replaced by {@link REDACTED} (G5).
   */
  overrides: string[];
  /** Every declared parameter's value (given with `--param`, else its default). */
  params: Record<string, ParamValue>;
  /** The `--param name=value` arguments it was loaded with (keep them with `overrides` to load the same config again). */
  paramArgs: string[];
  /** Factories for its components, from the registries it was validated against (the runner uses them). */
  components: Components;
  /**
   * With `envOptional`: what could not be checked because a variable is not set (file:line, key,
   * variable). A pipeline loaded with warnings is for validation only, never for a run.
   */
  warnings?: string[];
}

export interface LoadOptions {
  env?: NodeJS.ProcessEnv;
  /** `key.path=value` overrides (`--set`), applied before interpolation and validation. */
  set?: string[];
  /** `name=value` parameters (`--param`), checked against the file's `params:` declarations. */
  params?: readonly string[];
  /**
   * A missing environment variable is a warning, and the values that depend on it are not checked
   * (`renkei validate --env-optional`: shipped pipelines validate in a fresh shell).
   */
  envOptional?: boolean;
}

const SECRET_KEY = /^(token|password|secret|connection|dsn|api_key|webhook_secret|webhook_url)$/i;
type PathSeg = string | number;

export function formatPath(p: readonly PathSeg[]): string {
  let out = '';
  for (const s of p) out += typeof s === 'number' ? `[${s}]` : out ? `.${s}` : s;
  return out || '(top level)';
}

/** A pipeline file is a page of YAML: anything far larger is a mistake (or an attack on the parser). */
export const MAX_PIPELINE_BYTES = 1024 * 1024;

/** `doc.toJS()` with a bound on alias expansion (a YAML "billion laughs" is a config error, not a crash). */
export function toJs(doc: Document, file: string): unknown {
  try {
    return doc.toJS({ maxAliasCount: 1000 });
  } catch (e) {
    if (/unresolved alias/i.test((e as Error).message)) throw new ConfigError(`invalid YAML in ${file}: ${(e as Error).message}`);
    if (e instanceof ReferenceError || /alias/i.test((e as Error).message)) throw new ConfigError(`${file}: too many YAML aliases expanded (${(e as Error).message}); a pipeline file needs few`);
    throw e;
  }
}

export function loadPipeline(file: string, opts: LoadOptions = {}): LoadedPipeline {
  let text: string;
  try {
    const size = fs.statSync(file).size;
    if (size > MAX_PIPELINE_BYTES) throw new ConfigError(`${file}: ${size.toLocaleString('en-US')} bytes is not a pipeline file (at most ${MAX_PIPELINE_BYTES.toLocaleString('en-US')})`);
    const bytes = fs.readFileSync(file);
    // YAML is UTF-8 text: a file saved as Shift_JIS would be read with U+FFFD in its values.
    if (!isUtf8(bytes)) throw new ConfigError(`${file}: not UTF-8 text (a pipeline file is UTF-8; was it saved as Shift_JIS?)`);
    text = bytes.toString('utf8');
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    throw new ConfigError(`cannot read pipeline file ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  return parsePipeline(text, file, opts);
}

export function parsePipeline(text: string, file: string, opts: LoadOptions = {}): LoadedPipeline {
  const env = opts.env ?? process.env;
  const lc = new LineCounter();
  if (text.length > MAX_PIPELINE_BYTES) throw new ConfigError(`${file}: ${text.length.toLocaleString('en-US')} characters is not a pipeline file (at most ${MAX_PIPELINE_BYTES.toLocaleString('en-US')})`);
  // merge: YAML merge keys (`<<: *defaults`) share settings between sinks or connections.
  const doc = parseDocument(text, { lineCounter: lc, uniqueKeys: true, merge: true });
  const problems: string[] = [];
  const at = (offset: number | undefined) => (offset === undefined ? file : `${file}:${lc.linePos(offset).line}`);
  for (const e of doc.errors) problems.push(`${file}:${e.linePos?.[0].line ?? '?'}: ${e.message.split('\n')[0]}`);
  if (problems.length) throw new ConfigError(`invalid YAML in ${file}`, problems);
  if (!isMap(doc.contents)) throw new ConfigError(`${file}: a pipeline file must be a mapping with name, source, sinks and errors`);

  for (const s of opts.set ?? []) applySet(doc, s, problems);
  const params = resolveParams(doc, opts.params ?? [], file, at, problems);
  if (problems.length) throw new ConfigError(`${file}: configuration problems`, problems);

  // Interpolate string values (not keys) and collect secrets.
  const secrets = new Set<string>();
  const warnings: string[] = [];
  visit(doc, {
    // Declarations are literal: a default is not interpolated.
    Pair(_k, pair, ancestors) {
      if (ancestors[ancestors.length - 1] === doc.contents && isScalar(pair.key) && pair.key.value === 'params') return visit.SKIP;
    },
    Scalar(k, node, ancestors) {
      if (k === 'key' || typeof node.value !== 'string') return;
      const whole = node.type === 'PLAIN' ? WHOLE_PARAM.exec(node.value) : null;
      const r = interpolate(node.value, env, params.values);
      const where = () => `${at(node.range?.[0])}: ${formatPath(pathOf(ancestors, node))}`;
      for (const name of r.missing) {
        const msg = `${where()}: environment variable \${${name}} is not set (give it a value or a default: \${${name}:-value})`;
        if (opts.envOptional) warnings.push(msg); else problems.push(msg);
      }
      // envOptional: a value built from a missing variable keeps its `${…}` text and is not checked.
      if (opts.envOptional && r.missing.length) return;
      for (const name of r.paramDefaults) {
        problems.push(`${where()}: \${param.${name}:-…}: a parameter's default is declared once, as params.${name}.default, not where it is used`);
      }
      for (const name of r.unknownParams) {
        // A declared parameter without a valid value was reported above.
        if (!Object.hasOwn(params.decls, name)) problems.push(`${where()}: \${param.${name}}: parameter ${name} is not declared under params: (${declaredList(params.decls)})`);
      }
      if (r.used.some((n) => SECRET_ENV.test(n))) for (const n of r.used) if (env[n]) secrets.add(env[n]!);
      const parent = ancestors[ancestors.length - 1] as { key?: unknown } | undefined;
      const parentKey = parent && isScalar(parent.key) ? String(parent.key.value) : '';
      if (SECRET_KEY.test(parentKey) && r.value) secrets.add(r.value);
      if (r.used.length || r.params.length || r.value !== node.value) {
        // An unquoted `${VAR}` takes the type the value reads as (`rate_limit: ${RATE}` → a number),
        // an unquoted `${param.name}` alone the parameter's type; quoted ones stay text.
        if (whole && Object.hasOwn(params.values, whole[1])) node.value = params.values[whole[1]];
        else node.value = node.type === 'PLAIN' ? scalarOf(r.value) : r.value;
      }
    },
  });
  for (const s of [...secrets]) {
    // The password inside a connection string is a secret of its own (it may be logged alone).
    try { const u = new URL(s); if (u.password) secrets.add(decodeURIComponent(u.password)); } catch { /* not a URL */ }
  }
  if (problems.length) throw new ConfigError(`${file}: configuration problems`, problems);

  const raw = toJs(doc, file) as Record<string, unknown>;
  // Top-level `x-…` keys hold shared YAML anchors (`x-pg: &pg {…}` then `<<: *pg`), as in compose files.
  for (const k of Object.keys(raw ?? {})) if (k.startsWith('x-')) delete raw[k];
  checkTypes(raw, doc, at, problems);
  if (problems.length) throw new ConfigError(`${file}: configuration problems`, problems);

  const result = pipelineSchema().safeParse(raw);
  if (!result.success) {
    // Values built from a variable that is not set are not checked (envOptional): they are warnings.
    const unresolved = (i: z.core.$ZodIssue) => {
      const v = (i.path as PathSeg[]).reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<PathSeg, unknown>)[k] : undefined), raw);
      return opts.envOptional === true && typeof v === 'string' && v.includes('${');
    };
    const checked = result.error.issues.filter((i) => !unresolved(i));
    for (const issue of checked) problems.push(describeIssue(issue, doc, at, { schema: pipelineSchema(), raw }));
    if (problems.length || checked.length === result.error.issues.length) throw new ConfigError(`${file}: configuration problems`, problems);
  }
  const config: PipelineConfig = result.success ? result.data : (raw as PipelineConfig);
  const hash = crypto.createHash('sha256').update(scrub(JSON.stringify(config), secrets)).digest('hex');
  return { file, baseDir: path.dirname(path.resolve(file)), config, secrets, hash, overrides: storedOverrides(opts.set ?? [], secrets), params: params.values, paramArgs: [...(opts.params ?? [])], components, warnings };
}

/**
 * The `params:` declarations (checked here, before interpolation, with file:line) and the value of
 * each: its `--param`, else its default; an unknown name, a missing required value or an invalid
 * value is a problem naming the file, line and parameter.
 */
function resolveParams(doc: Document, args: readonly string[], file: string, at: (o?: number) => string, problems: string[]): { decls: ParamsConfig; values: Record<string, ParamValue> } {
  const decls: ParamsConfig = {};
  const values: Record<string, ParamValue> = {};
  const raw = (toJs(doc, file) as Record<string, unknown>).params;
  if (raw !== undefined && raw !== null) {
    if (typeof raw !== 'object' || Array.isArray(raw)) {
      problems.push(`${at(offsetOf(doc, ['params']))}: params: expected a mapping of parameter name → declaration (type, enum, default, description) or list of allowed values`);
    } else {
      for (const [name, d] of Object.entries(raw)) {
        const r = declSchemaFor(name, d).safeParse(d);
        if (r.success) decls[name] = r.data;
        else for (const issue of r.error.issues) problems.push(describeIssue({ ...issue, path: ['params', name, ...issue.path] }, doc, at));
      }
    }
  }
  const blockAt = raw === undefined ? file : at(offsetOf(doc, ['params'], true));
  const given = new Map<string, string>();
  for (const arg of args) {
    const s = splitParamArg(arg);
    if (!s) problems.push(`--param ${arg}: expected name=value`);
    else if (!Object.hasOwn(decls, s.name)) problems.push(`${blockAt}: --param ${s.name}: unknown parameter (${declaredList(decls)})`);
    else given.set(s.name, s.value);
  }
  for (const [name, decl] of Object.entries(decls)) {
    const declAt = at(offsetOf(doc, ['params', name], true));
    const value = given.has(name) ? given.get(name) : decl.default;
    if (value === undefined) {
      problems.push(`${declAt}: params.${name}: required parameter has no value: pass --param ${name}=… (${describeParam(decl)})`);
      continue;
    }
    const c = checkParam(decl, value);
    if ('value' in c) values[name] = c.value;
    else problems.push(`${declAt}: params.${name}: --param ${name}=${value}: ${c.error}`);
  }
  return { decls, values };
}

function declaredList(decls: ParamsConfig): string {
  const names = Object.keys(decls);
  return names.length ? `declared: ${names.join(', ')}` : 'this pipeline declares no params';
}

function scalarOf(text: string): unknown {
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  if (text === 'true' || text === 'false') return text === 'true';
  return text;
}

/** What stands in a stored `--set` for a secret value; apply asks for it again. */
export const REDACTED = '[REDACTED]';

/** `--set` overrides as they may be stored: values under secret keys, or holding a secret, redacted. */
export function storedOverrides(set: readonly string[], secrets: ReadonlySet<string>): string[] {
  return set.map((spec) => {
    const eq = spec.indexOf('=');
    if (eq <= 0) return spec;
    const key = spec.slice(0, eq);
    const value = spec.slice(eq + 1);
    const last = key.replace(/\[\d+\]/g, '').split('.').pop() ?? '';
    const secret = SECRET_KEY.test(last) || [...secrets].some((s) => s.length >= 4 && value.includes(s));
    return secret ? `${key}=${REDACTED}` : spec;
  });
}

/** `a.b[0].c=value` or `a.b.0.c=value`; the value is read as YAML (numbers, booleans, lists). */
function applySet(doc: Document, spec: string, problems: string[]): void {
  const eq = spec.indexOf('=');
  // The value is never echoed: it may be a password (a connection string, a token).
  if (eq <= 0) { problems.push(`--set (argument ${JSON.stringify(spec.slice(0, 3))}…): expected key.path=value`); return; }
  const keyPath = spec.slice(0, eq).replace(/\[(\d+)\]/g, '.$1').split('.').filter(Boolean)
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
  let value: unknown;
  try { value = parseYaml(spec.slice(eq + 1)); } catch { value = spec.slice(eq + 1); }
  try {
    doc.setIn(keyPath, doc.createNode(value ?? null));
  } catch (e) {
    problems.push(`--set ${formatPath(keyPath)}=…: cannot set ${formatPath(keyPath)} (${(e as Error).message})`);
  }
}

function pathOf(ancestors: readonly unknown[], node: unknown): PathSeg[] {
  const out: PathSeg[] = [];
  const chain = [...ancestors, node];
  for (let i = 1; i < chain.length; i++) {
    const parent = chain[i - 1] as { key?: unknown; items?: unknown[] };
    const cur = chain[i];
    if (isSeq(parent)) out.push(parent.items.indexOf(cur as never));
    else if (parent && typeof parent === 'object' && 'key' in parent && 'value' in parent && (parent as { value: unknown }).value === cur) {
      const k = (parent as { key: unknown }).key;
      out.push(isScalar(k) ? String(k.value) : String(k));
    }
  }
  return out;
}

/** Offset of the node at a key path, or of its nearest existing ancestor. */
export function offsetOf(doc: Document, p: readonly PathSeg[], wantKey = false): number | undefined {
  for (let n = p.length; n >= 0; n--) {
    const sub = p.slice(0, n);
    if (wantKey && n === p.length && n > 0) {
      const parent = doc.getIn(sub.slice(0, -1), true) as Node | undefined;
      if (isMap(parent)) {
        const pair = parent.items.find((it) => isScalar(it.key) && String(it.key.value) === String(sub[n - 1]));
        if (pair && isScalar(pair.key)) return pair.key.range?.[0];
      }
    }
    const node = (n === 0 ? doc.contents : doc.getIn(sub, true)) as Node | undefined;
    if (node && typeof node === 'object' && 'range' in node && node.range) return node.range[0];
  }
  return undefined;
}

function checkTypes(raw: Record<string, unknown>, doc: Document, at: (o?: number) => string, problems: string[]): void {
  const check = (p: PathSeg[], value: unknown, kind: string, valid: string[]) => {
    if (!value || typeof value !== 'object' || Array.isArray(value)) return; // zod reports the shape
    const t = (value as Record<string, unknown>).type;
    const tp = [...p, 'type'];
    if (t === undefined) problems.push(`${at(offsetOf(doc, p))}: ${formatPath(tp)}: missing; valid ${kind} types: ${valid.join(', ')}`);
    else if (typeof t !== 'string' || !valid.includes(t)) {
      problems.push(`${at(offsetOf(doc, tp))}: ${formatPath(tp)}: unknown ${kind} type ${JSON.stringify(t)}; valid: ${valid.join(', ') || '(none registered)'}`);
    }
  };
  const names = (l: readonly { type: string }[]) => l.map((c) => c.type);
  check(['source'], raw.source, 'source', names(registries.sources));
  if (Array.isArray(raw.transforms)) raw.transforms.forEach((t, i) => check(['transforms', i], t, 'transform', names(registries.transforms)));
  if (Array.isArray(raw.sinks)) raw.sinks.forEach((t, i) => check(['sinks', i], t, 'sink', names(registries.sinks)));
  check(['errors'], raw.errors, 'error sink', names(registries.errorSinks));
}

export function describeIssue(issue: z.core.$ZodIssue, doc: Document, at: (o?: number) => string, where?: { schema: z.ZodType; raw: unknown }): string {
  const p = issue.path as PathSeg[];
  if (issue.code === 'unrecognized_keys') {
    const valid = where ? keysAt(where.schema, where.raw, p) : undefined;
    return issue.keys.map((k) => {
      const kp = [...p, k];
      const hint = valid ? `; valid here: ${valid.join(', ')}${didYouMean(k, valid)}` : ' (not one of the options here)';
      return `${at(offsetOf(doc, kp, true))}: ${formatPath(kp)}: unknown key${hint}`;
    }).join('\n  - ');
  }
  const missing = issue.code === 'invalid_type' && issue.message.includes('received undefined');
  let msg = missing ? 'required key is missing' : issue.message;
  if (issue.code === 'invalid_value' && 'values' in issue) msg = `${issue.message}`;
  return `${at(offsetOf(doc, p, true))}: ${formatPath(p)}: ${msg}`;
}
