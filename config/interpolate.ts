/**
 * `${VAR}` and `${VAR:-default}` interpolation of string values from the environment, and
 * `${param.name}` from the pipeline's parameters (config/params.ts; no `:-default` form there: a
 * parameter's default is declared once, under `params:`).
 * Applied to parsed YAML scalars (never to raw text), so a value cannot inject YAML structure.
 * `$${` writes a literal `${`.
 */
import type { ParamValue } from './params.ts';

const PATTERN = /\$\$\{|\$\{(param\.)?([A-Za-z_][A-Za-z0-9_]*)(?::-((?:[^}\\]|\\.)*))?\}/g;
/** The whole text is one parameter reference: an unquoted value then takes the parameter's type. */
export const WHOLE_PARAM = /^\$\{param\.([A-Za-z_][A-Za-z0-9_]*)\}$/;

export interface Interpolated {
  value: string;
  /** Names of the environment variables used (for secret detection). */
  used: string[];
  /** Variables that were unset and had no default. */
  missing: string[];
  /** Parameters referenced (`${param.name}`). */
  params: string[];
  /** Parameters referenced that have no value here (not declared). */
  unknownParams: string[];
  /** Parameters referenced with a `:-default` (not allowed: declare the default under `params:`). */
  paramDefaults: string[];
}

export function interpolate(text: string, env: NodeJS.ProcessEnv, params: Readonly<Record<string, ParamValue>> = {}): Interpolated {
  const used: string[] = [];
  const missing: string[] = [];
  const usedParams: string[] = [];
  const unknownParams: string[] = [];
  const paramDefaults: string[] = [];
  const value = text.replace(PATTERN, (m, param: string | undefined, name: string | undefined, def: string | undefined) => {
    if (m === '$${') return '${';
    if (param) {
      usedParams.push(name!);
      if (def !== undefined) paramDefaults.push(name!);
      if (!Object.hasOwn(params, name!)) { unknownParams.push(name!); return ''; }
      return String(params[name!]);
    }
    used.push(name!);
    const v = env[name!];
    if (v !== undefined && v !== '') return v;
    if (def !== undefined) return def.replace(/\\(.)/g, '$1');
    missing.push(name!);
    return '';
  });
  return { value, used, missing, params: usedParams, unknownParams, paramDefaults };
}

/** Environment variable names whose values are secrets (G5). */
export const SECRET_ENV = /(TOKEN|SECRET|PASSWORD|PASSWD|API_?KEY|PRIVATE|DSN|DATABASE_URL|CREDENTIAL)/i;
