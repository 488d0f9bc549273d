/* eslint-disable no-control-regex -- the terminal escape codes are what these tests check */
/**
 * A quiet, informative terminal (issue 13): on a TTY only warnings are logged by default, the
 * progress line shows elapsed time and, for a file, the share read; a log line never lands inside
 * the progress line (the line is cleared before it and drawn again after it). Off a TTY: JSON logs.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { main } from '../../cli/main.ts';
import { ROOT } from '../helpers/cli.ts';
import { freshDb, type TestDb } from '../helpers/db.ts';

let tdb: TestDb;
let dir: string;
beforeAll(async () => {
  tdb = await freshDb();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'renkei-tty-'));
  fs.writeFileSync(path.join(dir, 'in.csv'), ['code', ...Array.from({ length: 40 }, (_, i) => `C${i}`)].join('\n') + '\n');
  fs.writeFileSync(path.join(dir, 'p.yaml'), `name: tty
source: { type: csv, path: in.csv }
transforms:
  - { type: module, path: ${path.join(ROOT, 'test/integration/fixtures/warn-stage.ts')}, options: { at: 30 } }
sinks: [{ type: postgres, table: tty_out, create_table: true, columns: [{ name: code, type: text }] }]
errors: { type: csv, path: errors.csv }
options: { batch_size: 10 }
`);
});

async function run(tty: boolean, extra: string[] = []) {
  let err = '', out = '';
  const stderr = Object.assign(new Writable({ write(c, _e, cb) { err += String(c); cb(); } }), { isTTY: tty });
  const stdout = new Writable({ write(c, _e, cb) { out += String(c); cb(); } });
  const code = await main(['run', 'p.yaml', ...extra], { stdout, stderr, env: { DATABASE_URL: tdb.url, RENKEI_HOME: path.join(dir, 'home'), HOME: dir }, cwd: dir });
  return { code, err, out };
}

describe('the terminal', () => {
  it('on a TTY: warnings only, progress with elapsed time and % of the file, and a log line never inside the progress line', async () => {
    const r = await run(true);
    expect(r.code).toBe(0);
    expect(r.err).not.toMatch(/INFO/);
    expect(r.err).toMatch(/WARN.*something to look at/);
    expect(r.err).toMatch(/\r\x1b\[Ktty: 10 read · [\d.]+% · [\d,]+ rec\/s · 0:0\d · /);
    // Every log line starts on a cleared line (no "rejected 0[12:00:00] WARN").
    const warnAt = r.err.indexOf('WARN');
    const before = r.err.slice(0, warnAt);
    expect(before.slice(before.lastIndexOf('\r'))).toMatch(/^\r\x1b\[K(\x1b\[[\d;]*m)*\[?[\d:.]*\]? ?(\x1b\[[\d;]*m)*$/);
    expect(r.out).toMatch(/✔ tty succeeded/);
  });

  it('a notice a component raises is shown once in the summary, and kept in the report', async () => {
    fs.writeFileSync(path.join(dir, 'n.yaml'), fs.readFileSync(path.join(dir, 'p.yaml'), 'utf8').replace('options: { at: 30 }', 'options: { at: 3, notice: true }').replace('name: tty', 'name: tty-notice'));
    let out = '';
    const stdout = new Writable({ write(c, _e, cb) { out += String(c); cb(); } });
    const code = await main(['run', 'n.yaml', '--report-json', 'n.json'], { stdout, stderr: new Writable({ write(_c, _e, cb) { cb(); } }), env: { DATABASE_URL: tdb.url, RENKEI_HOME: path.join(dir, 'home'), HOME: dir }, cwd: dir });
    expect(code).toBe(0);
    expect(out.match(/ ⚠ something to look at\n/g)).toHaveLength(1);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'n.json'), 'utf8')).notices).toEqual(['something to look at']);
  });

  it('--log-level info on a TTY shows info lines; off a TTY the logs are JSON lines with info', async () => {
    expect((await run(true, ['--log-level', 'info'])).err).toMatch(/INFO.*run finished/);
    const plain = await run(false);
    const lines = plain.err.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.some((l) => l.msg === 'run finished' && l.level === 30)).toBe(true);
    expect(plain.err).not.toContain('\x1b[K');
  });
});
