/**
 * A plan: what a pipeline would do to its target, computed without writing anything (K4/K5).
 * `renkei plan` writes it as JSON; `renkei apply` writes exactly the selected candidates of it; the
 * review page and the terminal table render it.
 */

/** One field that differs between source and target: shown as old → new. */
export interface FieldChange {
  field: string;
  old: unknown;
  new: unknown;
}

/**
 * `excluded`: left out on purpose by a rule (opted out, no match, a duplicate dropped by keep-first
 * …), listed with its key and reason code so an operator can answer "why is this person not in the
 * target?" (issue 10 item 5). Only records a stage marks listed
 * (transforms/lib/excluded.ts); other filtered records are counted. Never selectable by apply.
 */
export type CandidateStatus = 'new' | 'changed' | 'unchanged' | 'rejected' | 'excluded' | 'missing';
export const CANDIDATE_STATUSES: readonly CandidateStatus[] = ['new', 'changed', 'unchanged', 'rejected', 'excluded', 'missing'];

export interface Candidate {
  /** The record's key (pipeline `key` fields joined with `|`). */
  key: string;
  status: CandidateStatus;
  /**
   * Who the record is, for a reviewer: the values of the diff stage's `label` fields joined with a
   * space (e.g. `山田 太郎 営業部`); absent when none is configured or all are blank.
   */
  label?: string;
  /** Source position (file:line, page:index); absent for `missing` (target-only) records. */
  origin?: string;
  /** For `changed`: every differing compared field. */
  changes?: FieldChange[];
  /** For `new`/`changed`: the record as it would be written (only the fields the pipeline reads, G6). */
  record?: Record<string, unknown>;
  /** For `rejected` and `excluded`: rule code, message and the stage that rejected or excluded it. */
  code?: string;
  message?: string;
  stage?: string;
  /** Fingerprint of the target record the candidate was computed against (apply re-checks it). */
  target_hash?: string;
  /** Target fields carried over for the sink (e.g. the target's `id` to PATCH). */
  target?: Record<string, unknown>;
}

export interface PlanCounts {
  new: number;
  changed: number;
  unchanged: number;
  rejected: number;
  /** Records a stage excluded and listed (opted out, no match, a dropped duplicate): `excluded` candidates. */
  excluded: number;
  missing: number;
  /** Records dropped by filters: the run report's `filtered` (G1); those a stage listed are also `excluded` candidates. */
  filtered: number;
}

export interface Plan {
  version: 1;
  plan_id: string;
  pipeline: string;
  /** Absolute path of the pipeline file the plan was made from (apply loads it again). */
  pipeline_file: string;
  /** `--set` overrides the plan was made with; apply loads the pipeline with the same ones. */
  overrides: string[];
  /** `--param name=value` arguments the plan was made with; apply loads the pipeline with the same ones. */
  params?: string[];
  /** Free text naming the direction, e.g. `SmartHR → KING OF TIME`. */
  direction?: string;
  config_hash: string;
  /** Fingerprints of the config's values by path (sync/config-leaves.ts), to name what changed before an apply. */
  config_leaves?: Record<string, string>;
  created_at: string;
  /** Reference date (基準日) used by filters, ISO date, when the pipeline has one. */
  reference_date?: string | null;
  /** Hash over the target records the plan was computed against. */
  target_fingerprint: string;
  /** Records in the target snapshot (the base of the deactivation guard), when a diff stage read one. */
  target_records: number | null;
  /** Records the source returned (the base of the source-size guard). */
  source_records: number;
  counts: PlanCounts;
  /** The diff stage's `label` fields (stream names) the candidates' labels were made of; absent in older plans. */
  label_fields?: string[];
  /**
   * Target records the diff stage could not compare because their key is blank: never updated,
   * never reported missing. Absent in older plans and when there are none.
   */
  target_blank_keys?: BlankKeyTargets;
  candidates: Candidate[];
}

/** Target records with a blank key: how many, and enough to find each one in the target. */
export interface BlankKeyTargets {
  /** Every such target record. */
  count: number;
  /** The first `BLANK_KEY_LISTED` of them. */
  records: BlankKeyTarget[];
}

/** One target record with a blank key: where it was read, its `carry` fields (e.g. the id) and its label. */
export interface BlankKeyTarget {
  origin?: string;
  /** The diff stage's `carry` fields of the record (e.g. `{ id: "…" }`), no other values. */
  identity?: Record<string, unknown>;
  label?: string;
}

/** Blank-key target records listed one by one (the count is always complete). */
export const BLANK_KEY_LISTED = 1000;
