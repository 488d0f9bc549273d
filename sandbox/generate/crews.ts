/**
 * Generated employees (crews), stored in write shape. The mix is deliberately untidy: business
 * names, missing / duplicated / upper-case / full-width e-mails, retired and absent people, crews in
 * two departments or none, a `null` department item (as the real API returns), and the Mikiwame
 * dropdown set to 連携する / 連携しない / blank.
 */
import type { Rng } from './prng.ts';
import type { SmarthrState, StoredCrew } from '../smarthr/state.ts';
import { CITIES, FIRST_NAMES_FEMALE, FIRST_NAMES_MALE, LAST_NAMES, PREFS, RESIGN_REASONS, ROMAJI } from './names.ts';
import { MIKIWAME_TEMPLATE_NAME, stamp } from './masters.ts';

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
const date = (y: number, m: number, d: number): string => `${y}-${pad(m)}-${pad(d)}`;
const toFullWidth = (s: string): string => s.replace(/[!-~]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));

type Masters = Omit<SmarthrState, 'crews'>;

export function crew(rng: Rng, i: number, m: Masters, emails: string[]): StoredCrew {
  const gender = rng.chance(0.5) ? 'male' : 'female';
  const [last, lastYomi] = rng.pick(LAST_NAMES);
  const [first, firstYomi] = rng.pick(gender === 'male' ? FIRST_NAMES_MALE : FIRST_NAMES_FEMALE);
  const birthYear = rng.int(1960, 2003);
  const birth = date(birthYear, rng.int(1, 12), rng.int(1, 28));
  const enterYear = Math.min(2025, rng.int(birthYear + 18, birthYear + 40));
  const entered = date(enterYear, rng.pick([4, 4, 4, 1, 7, 10]), 1);
  const roll = rng.next();
  const status = roll < 0.1 ? 'retired' : roll < 0.12 ? 'absent' : 'employed';
  const resigned = status === 'retired'
    ? [new Date(Date.parse(`${entered}T00:00:00Z`) + rng.int(30, 3650) * 86_400_000).toISOString().slice(0, 10), '2025-12-31'].sort()[0]
    : null;

  const local = `${ROMAJI[firstYomi] ?? `u${i}`}.${ROMAJI[lastYomi] ?? 'x'}${i}`;
  let email: string | null = `${local}@example.co.jp`;
  const e = rng.next();
  if (e < 0.01) email = null;
  else if (e < 0.015 && emails.length > 0) email = rng.pick(emails);
  else if (e < 0.02) email = email.toUpperCase();
  else if (e < 0.023) email = toFullWidth(email);
  if (email && emails.length < 1000) emails.push(email);

  const et = m.employment_types[rng.next() < 0.7 ? 1 : rng.int(0, m.employment_types.length - 1)];
  const d = rng.next();
  const dept = (): string => rng.pick(m.departments).id;
  const department_ids: Array<string | null> = d < 0.01 ? [] : d < 0.02 ? [dept(), null] : d < 0.1 ? [dept(), dept()] : [dept()];
  const business = rng.chance(0.03);
  const [bLast, bLastYomi] = rng.pick(LAST_NAMES);
  const mikiwame = m.custom_field_templates.find((t) => t.name === MIKIWAME_TEMPLATE_NAME);
  const link = rng.next();
  const custom_fields: StoredCrew['custom_fields'] = [];
  if (mikiwame) custom_fields.push({ template_id: mikiwame.id, value: link < 0.7 ? mikiwame.elements[0].id : link < 0.9 ? mikiwame.elements[1].id : null });
  const legacy = m.custom_field_templates.find((t) => t.type === 'string');
  if (legacy && rng.chance(0.2)) custom_fields.push({ template_id: legacy.id, value: `OLD-${pad(i, 6)}` });
  const created = stamp(rng);
  return {
    id: rng.uuid(),
    user_id: rng.chance(0.8) ? rng.uuid() : null,
    emp_code: rng.chance(0.005) ? null : pad(i + 1, 6),
    emp_status: status,
    last_name: last, first_name: first, last_name_yomi: lastYomi, first_name_yomi: firstYomi,
    business_last_name: business ? bLast : null, business_first_name: business ? first : null,
    business_last_name_yomi: business ? bLastYomi : null, business_first_name_yomi: business ? firstYomi : null,
    birth_at: birth, gender, email,
    tel_number: `0${rng.int(70, 90)}${rng.int(1000, 9999)}${rng.int(1000, 9999)}`,
    address: { country_number: '392', zip_code: `${rng.int(100, 999)}-${rng.int(1000, 9999)}`, pref: rng.pick(PREFS), city: rng.pick(CITIES), street: `${rng.int(1, 9)}-${rng.int(1, 30)}-${rng.int(1, 20)}`, building: null, literal_yomi: null },
    entered_at: entered, resigned_at: resigned, resigned_reason: resigned ? rng.pick(RESIGN_REASONS) : null,
    occupation: null,
    biz_establishment_id: rng.pick(m.biz_establishments).id,
    employment_type_id: et.id,
    department_ids,
    position_ids: rng.chance(0.3) ? [rng.pick(m.job_titles).id] : [],
    recruitment_type: rng.chance(0.6) ? '新卒' : '中途',
    contract_type: et.preset_type === 'full_timer' ? 'unlimited' : 'fixed_term',
    custom_fields,
    created_at: created, updated_at: created,
  };
}
