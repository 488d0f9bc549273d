/**
 * Mikiwame's list sources on the generic list source (api-list.ts): departments (identity `code`),
 * employees and personality results (identity `id`). Each read first checks the linkage (L2): an
 * expired one fails the read — and so the run — before anything is written.
 */
import { z } from 'zod';
import { defineComponent, type Source, type SourceComponent } from '../engine/types.ts';
import { ensureLinkage, mikiwameConnectionShape, mikiwameHttp, type MikiwameConnection } from '../connections/mikiwame/connection.ts';
import { mikiwameDepartmentsProfile, mikiwameProfile } from '../connections/mikiwame/profile.ts';
import type { ApiProfile } from '../connections/http/profile.ts';
import { defineListSource, pagedShape } from './api-list.ts';

function linked<T extends string>(profile: ApiProfile, type: T, path: string, what: string) {
  const inner = defineListSource({ profile, options: { ...mikiwameConnectionShape, ...pagedShape(profile) } }, { type, path, what });
  const schema = inner.schema as z.ZodObject<{ type: z.ZodLiteral<T> } & typeof mikiwameConnectionShape & ReturnType<typeof pagedShape>>;
  return defineComponent({
    type, description: inner.description, schema,
    create(o, ctx): Source {
      const source = inner.create(o as never, ctx);
      return {
        async *read() {
          const http = mikiwameHttp(o as MikiwameConnection, profile, ctx, type);
          try { await ensureLinkage(o as MikiwameConnection, http, ctx, type); } finally { http.close(); }
          yield* source.read();
        },
        close: source.close ? () => source.close!() : undefined,
      };
    },
  }) satisfies SourceComponent;
}

export const mikiwameDepartmentsSource = linked(mikiwameDepartmentsProfile, 'mikiwame.departments', '/v1/departments', 'Departments (部署: code, name, parent_code)');
export const mikiwameEmployeesSource = linked(mikiwameProfile, 'mikiwame.employees', '/v1/employees', 'Employees (自社社員)');
export const mikiwameResultsSource = linked(mikiwameProfile, 'mikiwame.personality_results', '/v1/personality_results', 'Personality test results (性格検査結果)');
