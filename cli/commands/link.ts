/**
 * `renkei link mikiwame`: records a new linkage (L1) — the API resets its token's validity to 90 days
 * from now (`POST /v1/linkage`), as 再連携 does in the product — and prints the new dates. Nothing is
 * synced: a sync only runs when a person or a schedule starts one (L3).
 */
import { parseArgs } from 'node:util';
import pino from 'pino';
import type { Command } from '../command.ts';
import { UsageError } from '../session.ts';
import { HttpClient } from '../../connections/http/client.ts';
import { mikiwameProfile } from '../../connections/mikiwame/profile.ts';
import { daysLeft, type Linkage } from '../../connections/mikiwame/linkage.ts';

const HELP = `Usage: renkei link mikiwame [--base-url URL] [--token T]

Renews the Mikiwame linkage (連携設定): the API resets it to 90 days from now (L1). Prints the new
linked_at / expires_at; put expires_at in the pipeline connections (expires_at:) if you keep it there.
Links nothing else and starts no sync (L3).

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
      const res = await http.request<Linkage>({ method: 'POST', path: '/v1/linkage', body: {}, label: 'POST /v1/linkage' });
      const l = res.data;
      io.stdout.write(`${JSON.stringify({ service: 'mikiwame', linked_at: l.linked_at, expires_at: l.expires_at })}\n`);
      io.stderr.write(`mikiwame linkage renewed: valid until ${l.expires_at} (${Math.round(daysLeft(l, new Date(l.linked_at ?? Date.now())) ?? 0)} days)\n`);
      return 0;
    } finally { http.close(); }
  },
};
