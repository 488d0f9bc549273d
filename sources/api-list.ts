/**
 * The list source every HTTP API shares: one list endpoint read with the API's paging strategy, each
 * page one batch of records, in page order, each with its origin (`GET /v1/crews page 3 #17`). An item
 * that is not an object with a string identity (the profile's `id`, `key`, …) becomes a rejected Drop
 * `<PREFIX>_BAD_ITEM`. An API's list sources are then a table of endpoints, one line each
 * (sources/smarthr-lists.ts), not a file per endpoint.
 */
import { z } from 'zod';
import { defineComponent, Drop, type Ctx, type Rec, type Row, type Source } from '../engine/types.ts';
import type { Clock } from '../connections/http/clock.ts';
import { httpClientFor, type ConnectionOptions, pageConcurrency } from '../connections/http/connection.ts';
import { pagingStrategies, type PagedRequest, type PagingName } from '../connections/http/paging.ts';
import type { ApiProfile } from '../connections/http/profile.ts';

/** One API as its list sources see it. */
export interface ListApi<C extends z.ZodRawShape> {
  profile: ApiProfile;
  /** Options every list source of this API takes: its connection options, and paging where it pages. */
  options: C;
  /** For tests: the clock the HTTP client sleeps on (retries, closed hours). Default: real time. */
  clock?: Clock;
}

/** One line of an API's endpoint table. */
export interface ListEndpoint<T extends string, E extends z.ZodRawShape> {
  /** The registered source type: `smarthr.departments`. */
  type: T;
  /** `/v1/departments` */
  path: string;
  /** What the records are, for descriptions: `Departments (部署)`. */
  what: string;
  /** Endpoint options (filters), beside the API's options. */
  options?: E;
  /** The query string from the endpoint options. */
  query?: (o: z.output<z.ZodObject<E>>) => PagedRequest['query'];
}

const STRATEGY_DOCS: Record<PagingName, string> = {
  page: 'read x-total-count from page 1, then fetch pages concurrently (emitted in order)',
  link: 'follow Link rel="next" one page at a time',
  none: 'one request answers the whole list',
};

/** `per_page` and `paging` options for an API that pages its lists. */
export function pagedShape(profile: ApiProfile) {
  const max = profile.paging.maxPerPage ?? 100;
  return {
    per_page: z.number().int().min(1).max(max).default(max).describe(`Records per page (${profile.name} allows up to ${max}).`),
    paging: z.enum(profile.paging.strategies).default(profile.paging.default)
      .describe(`${profile.paging.strategies.map((s) => `${s}: ${STRATEGY_DOCS[s]}`).join('; ')}.`),
  };
}

/** What the read needs from a list source's parsed options. */
type ReadOptions = ConnectionOptions & { per_page?: number; paging?: PagingName };

/** The list source of one endpoint, as a registrable component. */
export function defineListSource<C extends z.ZodRawShape, T extends string, E extends z.ZodRawShape = Record<never, never>>(api: ListApi<C>, e: ListEndpoint<T, E>) {
  const schema = z.strictObject({ type: z.literal(e.type), ...api.options, ...(e.options ?? ({} as E)) })
    .describe(`${e.what} from the ${api.profile.name} API.`);
  return defineComponent({
    type: e.type,
    description: `Read ${e.what} from ${api.profile.name} (GET ${e.path}).`,
    schema,
    create(o, ctx): Source {
      const query = e.query?.(o as z.output<z.ZodObject<E>>) ?? {};
      return listSource(api, e.type, e.path, query, o as unknown as ReadOptions, ctx);
    },
  });
}

function listSource<C extends z.ZodRawShape>(api: ListApi<C>, stage: string, path: string, query: PagedRequest['query'], o: ReadOptions, ctx: Ctx): Source {
  const { profile } = api;
  const id = profile.identity;
  return {
    async *read() {
      const client = httpClientFor(o, profile, ctx, stage, 'SOURCE_HTTP', api.clock);
      const strategy = pagingStrategies[o.paging ?? profile.paging.default];
      const log = ctx.logger.bindings().stage === undefined ? ctx.logger.child({ stage }) : ctx.logger;
      let records = 0;
      try {
        for await (const p of strategy(client, { path, query, perPage: o.per_page ?? profile.paging.maxPerPage ?? 100, concurrency: pageConcurrency(o, ctx.options.concurrency), idField: id })) {
          const batch: Array<Rec | Drop> = p.items.map((item, i) => {
            const origin = `${p.at} #${i + 1}`;
            if (item && typeof item === 'object' && !Array.isArray(item) && typeof (item as Row)[id] === 'string') return { data: item as Row, origin };
            return new Drop('rejected', `${profile.codePrefix}_BAD_ITEM`, `list item is not an object with a string ${id}`, origin, item && typeof item === 'object' ? (item as Row) : JSON.stringify(item));
          });
          records += batch.length;
          yield batch;
        }
      } finally { client.close(); }
      log.info({ path, records }, 'read complete');
    },
  };
}
