/** Runs the `renkei` CLI in this process through `main(argv, io)`, capturing its output. */
import { Writable } from 'node:stream';
import { main } from '../../cli/main.ts';

export interface InProcessResult { code: number; stdout: string; stderr: string }

function collector(): { stream: Writable; text: () => string } {
  const parts: Buffer[] = [];
  const stream = new Writable({ write(chunk, _enc, cb) { parts.push(Buffer.from(chunk)); cb(); } });
  return { stream, text: () => Buffer.concat(parts).toString('utf8') };
}

export async function renkeiIn(args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<InProcessResult> {
  const out = collector();
  const err = collector();
  const code = await main(args, { stdout: out.stream, stderr: err.stream, env, cwd });
  return { code, stdout: out.text(), stderr: err.text() };
}
