/**
 * K11 end to end: a pipeline with a `notify:` block sends the signed run.finished summary when the
 * run ends (the CLI's main() in-process, real webhook receiver on 127.0.0.1, real PostgreSQL).
 */
import { describe, it, expect, afterAll } from 'vitest';
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { verifySignature } from '../../engine/notify.ts';
import { freshDb } from '../helpers/db.ts';
import { runMain } from '../helpers/cli.ts';

const got: Array<{ headers: http.IncomingHttpHeaders; body: string }> = [];
const srv = http.createServer((req, res) => {
  let body = '';
  req.on('data', (d) => (body += d));
  req.on('end', () => { got.push({ headers: req.headers, body }); res.writeHead(204).end(); });
});
afterAll(() => new Promise((r) => srv.close(r)));

describe('notify', () => {
  it('K11: a finished run posts its signed summary to the webhook; the secret stays out of the logs', async () => {
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(srv.address() as AddressInfo).port}/hook`;
    const db = await freshDb();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'renkei-notify-'));
    fs.writeFileSync(path.join(dir, 'in.csv'), 'code,n\nA,1\nB,x\n');
    fs.writeFileSync(path.join(dir, 'p.yaml'), `name: notify-test
key: [code]
source: { type: csv, path: in.csv }
transforms: [ { type: normalize, fields: { n: integer } } ]
sinks: [ { type: postgres, table: notified, mode: append, create_table: true, columns: [ { name: code, type: text }, { name: n, type: integer } ] } ]
errors: { type: csv, path: errors.csv }
notify: { webhook_url: "\${HOOK_URL}", secret: "\${WEBHOOK_SECRET}" }
`);
    const secret = 'whsec-notify-run-123456';
    const r = await runMain(['run', 'p.yaml', '--log-format', 'json'], { DATABASE_URL: db.url, HOOK_URL: url, WEBHOOK_SECRET: secret }, dir);
    expect(r.code).toBe(0);
    expect(got).toHaveLength(1);
    const body = JSON.parse(got[0].body);
    expect(body).toMatchObject({ event: 'run.finished', pipeline: 'notify-test', status: 'succeeded', counts: { read: 2, written: 1, rejected: 1 } });
    expect(verifySignature(got[0].body, got[0].headers['x-renkei-signature'] as string, secret)).toBe(true);
    expect(r.stderr).toContain('"event":"run.finished"');
    expect(r.stdout + r.stderr).not.toContain(secret);
  });
});
