/**
 * `renkei link mikiwame`: records a new linkage (L1) where the pipelines read it — the API resets its
 * token's validity to 90 days from now (`POST /v1/linkage`), as 再連携 does in the product — then reads
 * it back (`GET /v1/linkage`, what every Mikiwame source and sink checks before its first request) and
 * prints those dates. Nothing is synced and no run is recorded: a sync only runs when a person or a
 * schedule starts one (L3).
 */
import { parseArgs } from 'node:util';
import pino from 'pino';
import type { Command } from '../command.ts';
import { UsageError } from '../session.ts';
import { HttpClient } from '../../connections/http/client.ts';
import { mikiwameProfile } from '../../connections/mikiwame/profile.ts';
import { daysLeft, expiryOf, type Linkage } from '../../connections/mikiwame/linkage.ts';
import { RenkeiError } from '../../engine/errors.ts';

const HELP = `Usage: renkei link mikiwame [--base-url URL] [--token T]

Renews the Mikiwame linkage (連携設定): the API resets it to 90 days from now (L1). Every Mikiwame
pipeline asks the API for the linkage before its first request (GET /v1/linkage), so the renewal
counts for all of them at once; linked_at / expires_at in a pipeline's connection are used only when
the API reports no linkage (differing dates are shown as stale). Prints the dates the pipelines will
see (JSON on stdout). Writes nothing else and starts no sync (L3).

Options:
  --base-url URL   the Mikiwame API base URL (default: $MIKIWAME_URL)
  --token T        the linkage token (default: $MIKIWAME_TOKEN)`;

export const linkCommand: Command = {
  name: 'link',
  summary: 'Renew a linkage (Mikiwame: 90 days from now)',
  help: HELP,
  async run(argv, io) {
    const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { 'base-url': { type: 'string' }, token: { type: 'string' } } });
    if (positionals[0] !== 'mikiwame' || positionals.length !== 1) throw new UsageError('which linkage? valid: mikiwame');
    const baseUrl = values['base-url'] ?? io.env.MIKIWAME_URL;
    const token = values.token ?? io.env.MIKIWAME_TOKEN;
    if (!baseUrl || !token) throw new UsageError('--base-url and --token (or MIKIWAME_URL and MIKIWAME_TOKEN) are required');
    const http = new HttpClient({ baseUrl, profile: mikiwameProfile, token, rateLimit: 5, timeoutMs: 30_000, logger: pino({ level: 'silent' }), errorCode: 'SINK_HTTP' });
    try {
      await http.request<Linkage>({ method: 'POST', path: '/v1/linkage', body: {}, label: 'POST /v1/linkage' });
      // What the pipelines will check: the API's linkage as it reads now, not the POST's echo.
      const l = (await http.request<Linkage>({ method: 'GET', path: '/v1/linkage', label: 'GET /v1/linkage' })).data ?? {};
      const expiry = expiryOf(l);
      if (!expiry) throw new RenkeiError('SINK_HTTP', `${baseUrl}: the linkage was renewed (POST /v1/linkage) but GET /v1/linkage reports no dates; pipelines fall back to their connection's expires_at`);
      const days = Math.round(daysLeft(l, new Date(l.linked_at ?? Date.now())) ?? 0);
      io.stdout.write(`${JSON.stringify({ service: 'mikiwame', linked_at: l.linked_at ?? null, expires_at: expiry.toISOString(), days })}\n`);
      io.stderr.write([
        `mikiwame linkage renewed (POST /v1/linkage): linked ${l.linked_at ?? '(not reported)'}, valid until ${expiry.toISOString()} (${days} days, L1).`,
        'Every Mikiwame pipeline reads this from the API before its first request, so all of them see the new dates now;',
        'linked_at/expires_at in a pipeline\'s connection count only when the API reports none. No sync was started (L3).',
      ].join('\n') + '\n');
      return 0;
    } finally { http.close(); }
  },
};
