/** `renkei sandbox smarthr --persist` keeps the tenant in the state home (issue 8: one state home). */
import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { runSmarthrSandbox } from '../../cli/commands/sandbox.ts';

const sink = () => new Writable({ write(_c, _e, cb) { cb(); } });

describe('sandbox state in the state home', () => {
  it('--persist saves the tenant to <home>/sandbox/smarthr-<seed>.json (0600) and loads it next time', async () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'renkei-sbhome-'));
    const io = { stdout: sink(), stderr: sink(), env: { RENKEI_HOME: home }, cwd: os.tmpdir() };
    expect(await runSmarthrSandbox(['--persist', '--seed', '7', '--employees', '12', '--port', '0'], io, async () => {})).toBe(0);
    const file = path.join(home, 'sandbox', 'smarthr-7.json');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const saved = JSON.parse(fs.readFileSync(file, 'utf8'));
    expect(saved.crews).toHaveLength(12);
    saved.crews[0].last_name = '永続';
    fs.writeFileSync(file, JSON.stringify(saved));
    // A second start with another --employees loads the saved tenant instead of generating one.
    expect(await runSmarthrSandbox(['--persist', '--seed', '7', '--employees', '50', '--port', '0'], io, async () => {})).toBe(0);
    const again = JSON.parse(fs.readFileSync(file, 'utf8'));
    expect(again.crews).toHaveLength(12);
    expect(again.crews[0].last_name).toBe('永続');
    await expect(runSmarthrSandbox(['--persist', '--state', 'x.json'], io, async () => {})).rejects.toThrow(/--state FILE or --persist, not both/);
  });
});
