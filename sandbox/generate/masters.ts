/**
 * Master data of a generated SmartHR tenant: employment types (the seven presets, one renamed, plus
 * custom ones), job titles, a department tree, offices and custom-field templates including the
 * ミキワメ(AI)連携 dropdown.
 */
import type { Rng } from './prng.ts';
import type {
  StoredBizEstablishment, StoredDepartment, StoredEmploymentType, StoredGroup, StoredJobTitle, StoredTemplate,
} from '../smarthr/state.ts';
import { CITIES, DEPARTMENT_SUFFIXES, DEPARTMENT_WORDS, JOB_TITLES, OFFICES, PREFS } from './names.ts';

/** Name of the custom field that says whether an employee is linked to Mikiwame. */
export const MIKIWAME_TEMPLATE_NAME = 'ミキワメ(AI)連携';
export const MIKIWAME_LINK = '連携する';
export const MIKIWAME_NO_LINK = '連携しない';

export function stamp(rng: Rng, fromYear = 2019): string {
  const ms = Date.UTC(fromYear, 0, 1) + Math.floor(rng.next() * 5 * 365 * 86_400_000);
  return new Date(ms - (ms % 1000)).toISOString().replace('.000Z', '+09:00').replace('Z', '+09:00');
}

const PRESETS: ReadonlyArray<readonly [string, string]> = [
  ['board_member', '役員'], ['full_timer', '正社員'], ['contract_worker', '契約社員'], ['permatemp', '派遣社員'],
  ['part_timer', 'パートタイマー'], ['outsourcing_contractor', '業務委託'], ['etc', 'その他'],
];

export function employmentTypes(rng: Rng): StoredEmploymentType[] {
  const out: StoredEmploymentType[] = PRESETS.map(([preset, name]) => {
    const t = stamp(rng);
    return { id: rng.uuid(), name, preset_type: preset, code: null, created_at: t, updated_at: t };
  });
  // A preset renamed by the tenant (SmartHR keeps the preset_type), and two custom types.
  out[4].name = 'パート・アルバイト';
  out[1].code = 'SEISHAIN';
  for (const [name, code] of [['嘱託社員', 'SHOKUTAKU'], ['顧問', null]] as const) {
    const t = stamp(rng);
    out.push({ id: rng.uuid(), name, preset_type: null, code, created_at: t, updated_at: t });
  }
  return out;
}

export function jobTitles(rng: Rng): StoredJobTitle[] {
  return JOB_TITLES.map(([name, rank], i) => {
    const t = stamp(rng);
    return { id: rng.uuid(), name, rank, code: i % 4 === 3 ? null : `JT${String(i + 1).padStart(2, '0')}`, created_at: t, updated_at: t };
  });
}

/** A department tree `depth` levels deep; about one department in eight has no code. */
export function departments(rng: Rng, depth: number): StoredDepartment[] {
  const out: StoredDepartment[] = [];
  let seq = 0;
  const add = (parent: StoredDepartment | null, level: number, position: number): void => {
    seq++;
    const word = DEPARTMENT_WORDS[(seq * 7 + level) % DEPARTMENT_WORDS.length];
    const suffix = DEPARTMENT_SUFFIXES[Math.min(level, DEPARTMENT_SUFFIXES.length - 1)];
    const t = stamp(rng);
    const d: StoredDepartment = {
      id: rng.uuid(), name: `${word}${level === 0 ? '' : seq}${suffix}`, position,
      code: rng.chance(0.125) ? null : `D${String(seq).padStart(4, '0')}`, parent_id: parent?.id ?? null,
      created_at: t, updated_at: t,
    };
    out.push(d);
    if (level + 1 < depth) {
      const n = level === 0 ? rng.int(2, 4) : rng.int(1, 3);
      for (let i = 0; i < n; i++) add(d, level + 1, i + 1);
    }
  };
  const roots = depth <= 1 ? 6 : 4;
  for (let i = 0; i < roots; i++) add(null, 0, i + 1);
  return out;
}

export function bizEstablishments(rng: Rng): StoredBizEstablishment[] {
  return OFFICES.map((name, i) => {
    const t = stamp(rng);
    return {
      id: rng.uuid(), name, hel_ins_type: i === 0 ? 'its_kenpo' : 'kyokai_kenpo', hel_ins_name: i === 0 ? '関東ITソフトウェア健康保険組合' : '全国健康保険協会',
      soc_ins_name: `株式会社サンプル ${name}`, soc_ins_tel_number: `03-${rng.int(1000, 9999)}-${rng.int(1000, 9999)}`,
      soc_ins_address: { country_number: '392', zip_code: `${rng.int(100, 999)}-${rng.int(1000, 9999)}`, pref: rng.pick(PREFS), city: rng.pick(CITIES), street: `${rng.int(1, 9)}-${rng.int(1, 30)}-${rng.int(1, 20)}`, building: null, literal_yomi: null },
      lab_ins_name: `株式会社サンプル ${name}`, lab_ins_tel_number: `03-${rng.int(1000, 9999)}-${rng.int(1000, 9999)}`,
      emp_ins_number: `${rng.int(1000, 9999)}-${rng.int(100000, 999999)}-${rng.int(0, 9)}`, jurisdiction_tax: `${name}税務署`,
      created_at: t, updated_at: t,
    };
  });
}

export function customFields(rng: Rng): { groups: StoredGroup[]; templates: StoredTemplate[] } {
  const t = stamp(rng);
  const groups: StoredGroup[] = [
    { id: rng.uuid(), name: '外部サービス連携', position: 1, access_type: 'read_and_update', created_at: t, updated_at: t },
    { id: rng.uuid(), name: 'その他', position: 2, access_type: 'read_and_update', created_at: t, updated_at: t },
  ];
  const base = { hint: null, scale: null, separated_by_commas: false, created_at: t, updated_at: t };
  const templates: StoredTemplate[] = [
    { ...base, id: rng.uuid(), name: MIKIWAME_TEMPLATE_NAME, type: 'enum', group_id: groups[0].id, position: 1,
      elements: [
        { id: rng.uuid(), name: MIKIWAME_LINK, physical_name: null, position: 1 },
        { id: rng.uuid(), name: MIKIWAME_NO_LINK, physical_name: null, position: 2 },
      ] },
    { ...base, id: rng.uuid(), name: '旧社員番号', type: 'string', group_id: groups[1].id, position: 1, elements: [] },
    { ...base, id: rng.uuid(), name: '資格手当', type: 'decimal', group_id: groups[1].id, position: 2, elements: [], scale: 0, separated_by_commas: true },
    { ...base, id: rng.uuid(), name: '入社面談日', type: 'date', group_id: groups[1].id, position: 3, elements: [] },
  ];
  return { groups, templates };
}
