/**
 * The connections layer's boundaries, read from the import statements of the files: connections/ is
 * below sources and sinks (it imports neither, nor the runner's registries), SmartHR's sinks get the
 * client from connections/ rather than from sources/, and connections/http/ names no API.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');

function files(dir: string): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => path.relative(ROOT, path.join(e.parentPath, e.name)));
}

/** Repository-relative paths of the files `file` imports (relative specifiers only). */
function importsOf(file: string): string[] {
  const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
  return [...text.matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+['"](\.{1,2}\/[^'"]+)['"]/gm)]
    .map((m) => path.relative(ROOT, path.resolve(path.dirname(path.join(ROOT, file)), m[1])));
}

const crossing = (dirs: string[], forbidden: RegExp) =>
  dirs.flatMap(files).flatMap((f) => importsOf(f).filter((i) => forbidden.test(i)).map((i) => `${f} → ${i}`));

describe('connections/ boundaries', () => {
  it('the reader sees imports (a file known to import connections/ does)', () => {
    expect(importsOf('sinks/smarthr-crews.ts')).toContain('connections/smarthr/smarthr-client.ts');
  });

  it('connections/ imports nothing from sources/, sinks/, transforms/, config/ or cli/', () => {
    expect(crossing(['connections'], /^(sources|sinks|transforms|config|cli)\//)).toEqual([]);
  });

  it('sinks import nothing from sources/', () => {
    expect(crossing(['sinks'], /^sources\//)).toEqual([]);
  });

  it('connections/http/ is API-neutral: it imports no API profile folder', () => {
    expect(crossing(['connections/http'], /^connections\/(?!http\/)/)).toEqual([]);
  });
});
