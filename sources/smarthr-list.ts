/**
 * What every SmartHR list source shares: paging options and the read loop turning pages into batches
 * of records (one batch per page, in page order), each with its origin `GET /v1/crews page 3 #17`.
 * An item that is not an object with an `id` becomes a rejected Drop (SMARTHR_BAD_ITEM).
 */
import { z } from 'zod';
import { Drop, type Ctx, type Rec, type Row, type Source } from '../engine/types.ts';
import { smarthrHttp, type SmarthrConnection } from '../connections/smarthr/connection.ts';
import { pagingStrategies, type PagedRequest } from '../connections/http/paging.ts';

export const listShape = {
  per_page: z.number().int().min(1).max(100).default(100).describe('Records per page (SmartHR allows up to 100).'),
  paging: z.enum(['page', 'link']).default('page')
    .describe('page: read x-total-count from page 1, then fetch pages concurrently (emitted in order); link: follow Link rel="next" one page at a time.'),
};

export interface ListSpec {
  stage: string;
  path: string;
  query: PagedRequest['query'];
  conn: SmarthrConnection & { per_page: number; paging: 'page' | 'link' };
}

export function smarthrListSource(spec: ListSpec, ctx: Ctx): Source {
  return {
    async *read() {
      const client = smarthrHttp(spec.conn, ctx, spec.stage);
      const strategy = pagingStrategies[spec.conn.paging];
      const log = ctx.logger.bindings().stage === undefined ? ctx.logger.child({ stage: spec.stage }) : ctx.logger;
      let records = 0;
      try {
        for await (const p of strategy(client, { path: spec.path, query: spec.query, perPage: spec.conn.per_page, concurrency: spec.conn.concurrency, idField: 'id' })) {
          const batch: Array<Rec | Drop> = p.items.map((item, i) => {
            const origin = `GET ${spec.path} page ${p.page} #${i + 1}`;
            if (item && typeof item === 'object' && !Array.isArray(item) && typeof (item as Row).id === 'string') return { data: item as Row, origin };
            return new Drop('rejected', 'SMARTHR_BAD_ITEM', 'list item is not an object with a string id', origin, item && typeof item === 'object' ? (item as Row) : JSON.stringify(item));
          });
          records += batch.length;
          yield batch;
        }
      } finally { client.close(); }
      log.info({ path: spec.path, records }, 'read complete');
    },
  };
}
