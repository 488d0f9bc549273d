import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { Writable } from 'node:stream';
import { matchPolicy } from '../../../transforms/match-policy.ts';
import { runStage } from '../../../engine/stage-harness.ts';
import { makeCtx } from '../../../engine/context.ts';
import type { Drop, Rec, SyncCandidate } from '../../../engine/types.ts';

function logged(): { lines: Array<Record<string, unknown>>; logger: pino.Logger } {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({ write(c, _e, cb) { lines.push(JSON.parse(String(c))); cb(); } });
  return { lines, logger: pino({ level: 'warn' }, stream) };
}
const stage = (o: Record<string, unknown>, logger = pino({ level: 'silent' })) =>
  matchPolicy.create(matchPolicy.schema.parse({ type: 'match_policy', ...o }), makeCtx({ logger, key: ['emp_code'] }));
const rec = (emp_code: string, meta?: SyncCandidate, extra: Record<string, unknown> = {}): Rec => ({ data: { emp_code, email: `${emp_code.toLowerCase()}@x.jp`, ...extra }, origin: `page 1 #${emp_code}`, meta });
const NEW: SyncCandidate = { status: 'new' };
const changed = (fields: string[], target: Record<string, unknown> = { id: 't1' }): SyncCandidate =>
  ({ status: 'changed', changes: fields.map((f) => ({ field: f, old: `old ${f}`, new: `new ${f}` })), target });
const dropRow = (d: Drop) => [(d.data as Record<string, unknown>).emp_code, d.kind, d.code, d.field, d.listed];

describe('match_policy', () => {
  it('M-E6: matching by employee number, an unmatched employee is not created — NO_MATCH, listed as excluded; matched ones go on', async () => {
    const { out, drops } = await runStage(stage({ match_by: 'emp_code', create_for: ['email'] }), [rec('E1', NEW), rec('E2', changed(['last_name'])), rec('E3')]);
    expect(out.map((r) => r.data.emp_code)).toEqual(['E2', 'E3']);
    expect(drops.map(dropRow)).toEqual([['E1', 'filtered', 'NO_MATCH', 'emp_code', true]]);
    expect(drops[0].message).toMatch(/not created when matching by emp_code/);
  });

  it('M-E6: matching by email, an unmatched employee is created (new goes on to the sink)', async () => {
    const { out, drops } = await runStage(stage({ match_by: 'email', create_for: ['email'] }), [rec('E1', NEW), rec('E2', changed(['last_name']))]);
    expect(out.map((r) => [r.data.emp_code, r.meta?.status])).toEqual([['E1', 'new'], ['E2', 'changed']]);
    expect(drops).toEqual([]);
  });

  it('M-R2: with create_for [] a result matching no employee is NO_MATCH by email and by employee number — never created', async () => {
    for (const match_by of ['email', 'emp_code']) {
      const { out, drops } = await runStage(stage({ match_by, create_for: [] }), [rec('E1', NEW), rec('E2', changed(['受検日']))]);
      expect(out.map((r) => r.data.emp_code)).toEqual(['E2']);
      expect(drops.map(dropRow)).toEqual([['E1', 'filtered', 'NO_MATCH', match_by, true]]);
    }
  });

  it('M-R4: a matched employee whose carried target field says 連携しない is excluded OPTED_OUT and listed; 連携する and blank are written', async () => {
    const s = stage({ match_by: 'email', create_for: [], target_excludes: [{ field: 'opt_out', equals: '連携しない', code: 'OPTED_OUT' }] });
    const { out, drops } = await runStage(s, [
      rec('E1', changed(['受検日'], { id: 'a', opt_out: '連携しない' })),
      rec('E2', changed(['受検日'], { id: 'b', opt_out: '連携する' })),
      rec('E3', changed(['受検日'], { id: 'c', opt_out: null })),
      rec('E4', changed(['受検日'], { id: 'd' })),
    ]);
    expect(out.map((r) => r.data.emp_code)).toEqual(['E2', 'E3', 'E4']);
    expect(drops.map(dropRow)).toEqual([['E1', 'filtered', 'OPTED_OUT', 'opt_out', true]]);
  });

  it('M-E11: an email difference is never written — dropped from the changes with an EMAIL_IMMUTABLE warning (key only, G6); email-only is unchanged', async () => {
    const { lines, logger } = logged();
    const s = stage({ match_by: 'emp_code', create_for: ['email'], immutable: ['email'] }, logger);
    const { out, drops } = await runStage(s, [
      rec('E1', changed(['email', 'first_name_kana'])),
      rec('E2', changed(['email'])),
      rec('E3', changed(['position'])),
    ]);
    expect(out.map((r) => [r.data.emp_code, r.meta?.changes?.map((c) => c.field)])).toEqual([['E1', ['first_name_kana']], ['E3', ['position']]]);
    expect(drops.map((d) => [(d.data as Record<string, unknown>).emp_code, d.kind, d.code])).toEqual([['E2', 'unchanged', 'EMAIL_IMMUTABLE']]);
    expect(lines.map((l) => [l.key, l.code, l.fields])).toEqual([['E1', 'EMAIL_IMMUTABLE', ['email']], ['E2', 'EMAIL_IMMUTABLE', ['email']]]);
    expect(JSON.stringify(lines)).not.toMatch(/@x\.jp|new email|old email/);
    expect(s.facts?.()).toEqual({ warnings_EMAIL_IMMUTABLE: 2 });
  });

  it('config: codes can be renamed; the defaults are NO_MATCH and EMAIL_IMMUTABLE', async () => {
    const { drops } = await runStage(stage({ match_by: 'emp_code', no_match_code: 'NOT_IN_MIKIWAME' }), [rec('E1', NEW)]);
    expect(drops.map((d) => d.code)).toEqual(['NOT_IN_MIKIWAME']);
    expect(matchPolicy.schema.parse({ type: 'match_policy', match_by: 'email' })).toMatchObject({ create_for: [], no_match_code: 'NO_MATCH', immutable_code: 'EMAIL_IMMUTABLE' });
  });
});
