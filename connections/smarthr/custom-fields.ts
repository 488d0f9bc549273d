/**
 * SmartHR custom fields by template **name** (not array position): a crew's `custom_fields` is
 * `[{value, template: {id, name, type, elements}}]`, and an enum value comes back as the element's
 * **id** (or its `physical_name`), so the readable value is found through the template's elements.
 */
export interface CrewCustomField {
  value: string | number | null;
  template?: { id?: string; name?: string; type?: string; elements?: Array<{ id: string; name: string; physical_name?: string | null }> | null } | null;
}

/** The readable value of one custom field: an enum's element name; other types as given. */
export function customFieldValue(f: CrewCustomField): string | number | null {
  const v = f.value;
  if (v === null || v === '' || f.template?.type !== 'enum') return v === '' ? null : v;
  const el = (f.template.elements ?? []).find((e) => e.id === v || (e.physical_name != null && e.physical_name !== '' && e.physical_name === v));
  return el ? el.name : v;
}

/**
 * The value of the first custom field whose template name is one of `names` (several spellings of one
 * field, e.g. ミキワメ連携 / ミキワメAI連携), read as {@link customFieldValue}; undefined when the crew
 * has none of them.
 */
export function customFieldByName(fields: unknown, names: readonly string[]): string | number | null | undefined {
  if (!Array.isArray(fields)) return undefined;
  for (const name of names) {
    const f = fields.find((x): x is CrewCustomField => !!x && typeof x === 'object' && (x as CrewCustomField).template?.name === name);
    if (f) return customFieldValue(f);
  }
  return undefined;
}

/** Template id by name, from a list of templates (`GET /v1/crew_custom_field_templates`). */
export function templateIdByName(templates: Array<{ id: string; name: string }>, names: readonly string[]): string | undefined {
  for (const n of names) { const t = templates.find((x) => x.name === n); if (t) return t.id; }
  return undefined;
}
