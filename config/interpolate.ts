/**
 * `${VAR}` and `${VAR:-default}` interpolation of string values from the environment.
 * Applied to parsed YAML scalars (never to raw text), so a value cannot inject YAML structure.
 * `$${` writes a literal `${`.
 */
const PATTERN = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-((?:[^}\\]|\\.)*))?\}/g;

export interface Interpolated {
  value: string;
  /** Names of the variables used (for secret detection). */
  used: string[];
  /** Variables that were unset and had no default. */
  missing: string[];
}

export function interpolate(text: string, env: NodeJS.ProcessEnv): Interpolated {
  const used: string[] = [];
  const missing: string[] = [];
  const value = text.replace(PATTERN, (m, name: string | undefined, def: string | undefined) => {
    if (m === '$${') return '${';
    used.push(name!);
    const v = env[name!];
    if (v !== undefined && v !== '') return v;
    if (def !== undefined) return def.replace(/\\(.)/g, '$1');
    missing.push(name!);
    return '';
  });
  return { value, used, missing };
}

/** Environment variable names whose values are secrets (G5). */
export const SECRET_ENV = /(TOKEN|SECRET|PASSWORD|PASSWD|API_?KEY|PRIVATE|DSN|DATABASE_URL|CREDENTIAL)/i;
