/**
 * The Mikiwame sandbox's in-memory state, in the modelled shapes (apis.md §3), and the linkage: a
 * token issued with an expiry 90 days out (L1), judged on the sandbox's injectable clock.
 */
export interface MwDepartment { code: string; name: string; parent_code: string | null }
export interface MwEmployee {
  id: string; email: string | null; emp_code: string | null; last_name: string; first_name: string;
  last_name_kana: string | null; first_name_kana: string | null; gender: 'male' | 'female' | null; birth_date: string | null;
  department_code: string | null; position: string | null; hire_date: string | null; resign_date: string | null;
  employment_type: string | null; retired: boolean;
}
export interface MwResult {
  id: string; employee_id: string; email: string | null; emp_code: string | null; exam_date: string;
  type16: string; result_url: string; scores: Record<string, number>;
}
export interface MikiwameState {
  departments: MwDepartment[];
  employees: MwEmployee[];
  personality_results: MwResult[];
  linkage: { linked_at: string; expires_at: string };
}

/** The 24 personality traits whose deviation scores a result carries (M-R1), as the sandbox names them. */
export const TRAITS = [
  '外向性', '協調性', '誠実性', '情緒安定性', '開放性', '主体性', '自己肯定感', 'ストレス耐性', '論理性', '共感性', '計画性', '柔軟性',
  '競争心', '達成意欲', '慎重性', '社交性', '自律性', '好奇心', 'リーダーシップ', '責任感', '粘り強さ', '楽観性', '規律性', '独創性',
] as const;

/** The 16 personality types a result is classified as. */
export const TYPES16 = [
  'リーダー型', 'チャレンジャー型', 'アイデア型', 'ムードメーカー型', 'サポーター型', 'バランス型', '職人型', '研究者型',
  'オーガナイザー型', 'アナリスト型', 'クリエイター型', 'コーディネーター型', 'ガーディアン型', 'パイオニア型', 'メンター型', 'スペシャリスト型',
] as const;

/** Level of a department (top = 1) in the state, or Infinity for a parent chain that loops or breaks. */
export function levelOf(state: MikiwameState, code: string, parentCode: string | null): number {
  let level = 1;
  let p = parentCode;
  const seen = new Set([code]);
  while (p) {
    if (seen.has(p)) return Infinity;
    seen.add(p);
    const d = state.departments.find((x) => x.code === p);
    if (!d) return Infinity;
    level++;
    p = d.parent_code;
  }
  return level;
}
