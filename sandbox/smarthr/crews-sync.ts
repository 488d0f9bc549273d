/**
 * A small sync pipeline against the SmartHR sandbox: an HR master as JSON (`${HR_MASTER}`) diffed
 * against the sandbox's crews and written back (creates and changes). The benchmarks and the job
 * tests run it for many companies, each with its own `SMARTHR_URL`, `SMARTHR_TOKEN` and
 * `SMARTHR_RATE_LIMIT`.
 */
export interface CrewsSyncOptions {
  /** The compared and written fields; the first is the key. */
  fields: readonly string[];
  /** Fields normalized as dates before the diff. */
  dates?: readonly string[];
  /** The rate limit when `SMARTHR_RATE_LIMIT` is not set (default: the variable is required). */
  rateDefault?: number;
  /** Writes in flight (the sink's concurrency). */
  concurrency?: number;
  /** `guards:` of the pipeline, as YAML flow text, e.g. `{ min_source_ratio: 0.5 }`. */
  guards?: string;
}

export function crewsSyncPipeline(o: CrewsSyncOptions): string {
  const [key, ...rest] = o.fields;
  const rate = `\${SMARTHR_RATE_LIMIT${o.rateDefault === undefined ? '' : `:-${o.rateDefault}`}}`;
  const normalize = o.dates?.length ? `  - type: normalize
    fields: { ${o.dates.map((d) => `${d}: date`).join(', ')} }
` : '';
  return `name: crews-sync
key: [${key}]
source: { type: json, path: "\${HR_MASTER}" }
transforms:
${normalize}  - type: diff
    key: [${key}]
    fields: [${rest.join(', ')}]
    carry: [id]
    target:
      type: smarthr.crews
      base_url: "\${SMARTHR_URL}"
      token: "\${SMARTHR_TOKEN}"
      rate_limit: ${rate}
      fields: [id, ${o.fields.join(', ')}]
sinks:
  - type: smarthr.crews
    base_url: "\${SMARTHR_URL}"
    token: "\${SMARTHR_TOKEN}"
    rate_limit: ${rate}
${o.concurrency === undefined ? '' : `    concurrency: ${o.concurrency}\n`}    fields: [${o.fields.join(', ')}]
    on_create: { emp_status: employed }
errors: { type: csv, path: "errors/{run_id}.csv" }
${o.guards ? `guards: ${o.guards}\n` : ''}`;
}
