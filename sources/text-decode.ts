/**
 * Bytes → text for the file sources: streaming decode that never splits a character across chunks,
 * strips a UTF-8 byte-order mark, and reports where undecodable bytes were (so the parser can reject
 * the row that holds them instead of passing U+FFFD on as if it were data).
 *
 * UTF-8 takes a native fast path (`buffer.isUtf8` + `TextDecoder`); only a chunk with invalid bytes is
 * walked by hand. Other encodings go through iconv-lite's streaming decoder. "Shift_JIS" is decoded as
 * CP932 (Windows-31J): files that say Shift_JIS are in practice CP932 and carry ①, ㈱ and the NEC/IBM
 * extension kanji that strict Shift_JIS lacks.
 */
import fs from 'node:fs';
import path from 'node:path';
import { isUtf8 } from 'node:buffer';
import iconv from 'iconv-lite';
import { z } from 'zod';
import { RenkeiError, errorMessage } from '../engine/errors.ts';

/** A piece of decoded text and the offsets (counted in UTF-16 units over the whole stream) of U+FFFD that stand for bad bytes. */
export interface DecodedText {
  text: string;
  bad: number[] | null;
}

export type ByteChunks = AsyncIterable<Uint8Array> | Iterable<Uint8Array>;

const SJIS_ALIASES = new Set(['shiftjis', 'sjis', 'cp932', 'windows31j', 'mskanji', 'windows932', 'ms932', 'xsjis']);

/** Canonical decoder name for a user-given encoding, or undefined when neither Node nor iconv-lite knows it. */
export function resolveEncoding(name: string): string | undefined {
  const n = name.toLowerCase().replace(/[-_\s]/g, '');
  if (n === 'utf8') return 'utf-8';
  if (SJIS_ALIASES.has(n)) return 'cp932';
  return iconv.encodingExists(name) ? name : undefined;
}

/** The `encoding` option shared by the file sources. */
export const encodingOption = z
  .string()
  .refine((n) => resolveEncoding(n) !== undefined, { message: 'unknown encoding (try utf-8, shift_jis, cp932, euc-jp)' })
  .default('utf-8')
  .describe('Text encoding of the file: utf-8 (default; a BOM is stripped), shift_jis / cp932 (both read as CP932, which covers ①, ㈱ and the NEC/IBM kanji), euc-jp, or any name iconv-lite knows.');

/**
 * Length of the prefix of `b` that ends on a character boundary: a trailing lead byte whose
 * continuation bytes have not arrived yet is held back for the next chunk.
 */
function completePrefix(b: Uint8Array): number {
  let i = b.length - 1;
  let k = 0;
  while (i >= 0 && k < 3 && (b[i] & 0xc0) === 0x80) { i--; k++; }
  if (i < 0) return b.length;
  const lead = b[i];
  if (lead < 0xc0) return b.length; // ASCII, or a stray continuation byte: invalid either way, decode now
  const need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : 2;
  return i + need > b.length ? i : b.length;
}

/** Byte length of the valid UTF-8 sequence starting at `i`, or 0 when it is invalid or truncated. */
function validSequence(b: Uint8Array, i: number): number {
  const b0 = b[i];
  const n = b.length;
  const cont = (j: number, lo = 0x80, hi = 0xbf) => j < n && b[j] >= lo && b[j] <= hi;
  if (b0 < 0x80) return 1;
  if (b0 >= 0xc2 && b0 <= 0xdf) return cont(i + 1) ? 2 : 0;
  if (b0 >= 0xe0 && b0 <= 0xef) {
    const lo = b0 === 0xe0 ? 0xa0 : 0x80;
    const hi = b0 === 0xed ? 0x9f : 0xbf; // ED A0..BF would be a surrogate
    return cont(i + 1, lo, hi) && cont(i + 2) ? 3 : 0;
  }
  if (b0 >= 0xf0 && b0 <= 0xf4) {
    const lo = b0 === 0xf0 ? 0x90 : 0x80;
    const hi = b0 === 0xf4 ? 0x8f : 0xbf;
    return cont(i + 1, lo, hi) && cont(i + 2) && cont(i + 3) ? 4 : 0;
  }
  return 0;
}

/** Slow path for a chunk that is not valid UTF-8: one U+FFFD per bad byte, offsets recorded. */
function decodeInvalid(b: Uint8Array, offset: number, bad: number[]): string {
  const buf = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  let out = '';
  let run = 0;
  for (let i = 0; i < buf.length;) {
    const len = validSequence(buf, i);
    if (len > 0) { i += len; continue; }
    out += buf.toString('utf8', run, i);
    bad.push(offset + out.length);
    out += '\uFFFD';
    i += 1;
    run = i;
  }
  return out + buf.toString('utf8', run);
}

/**
 * Whole chunks (boundaries are already on character edges) are decoded without `stream`, so the
 * decoder must keep a U+FEFF that starts a chunk: only the one at the start of the file is a BOM.
 * Measured a little faster than `Buffer#toString` on mostly-Japanese text.
 */
const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });

/** Bytes decoded at a time (see decodeUtf8). */
const DECODE_PIECE = 64 * 1024;

async function* decodeUtf8(chunks: ByteChunks): AsyncGenerator<DecodedText> {
  let carry: Uint8Array | null = null;
  let offset = 0;
  let atStart = true;
  const emit = (b: Uint8Array): DecodedText | null => {
    if (b.length === 0) return null;
    let text: string;
    let bad: number[] | null = null;
    if (isUtf8(b)) {
      text = utf8.decode(b);
    } else {
      bad = [];
      text = decodeInvalid(b, offset, bad);
    }
    if (atStart) {
      atStart = false;
      if (text.charCodeAt(0) === 0xfeff) {
        text = text.slice(1);
        if (bad) for (let i = 0; i < bad.length; i++) bad[i] -= 1;
      }
    }
    offset += text.length;
    return { text, bad };
  };
  for await (const chunk of chunks) {
    const b: Uint8Array = carry ? Buffer.concat([carry, chunk]) : chunk;
    // Decoded in pieces of ~64 KiB (cut on character edges): the records of one piece are made and
    // passed on before the next is read, so fewer are alive at each young-generation GC, and a piece's
    // text is small enough to die young (a whole 256 KiB read made a large object, kept until a full GC).
    let start = 0;
    while (b.length - start > DECODE_PIECE + DECODE_PIECE / 2) {
      const piece = b.subarray(start, start + DECODE_PIECE);
      const cut = start + completePrefix(piece);
      const d = emit(b.subarray(start, cut === start ? start + DECODE_PIECE : cut));
      start = cut === start ? start + DECODE_PIECE : cut;
      if (d) yield d;
    }
    const rest = start === 0 ? b : b.subarray(start);
    const cut = completePrefix(rest);
    carry = cut < rest.length ? Uint8Array.prototype.slice.call(rest, cut) : null;
    const d = emit(cut < rest.length ? rest.subarray(0, cut) : rest);
    if (d) yield d;
  }
  if (carry) {
    const d = emit(carry); // a sequence cut off by the end of the file
    if (d) yield d;
  }
}

async function* decodeIconv(chunks: ByteChunks, encoding: string): AsyncGenerator<DecodedText> {
  const decoder = iconv.getDecoder(encoding);
  let offset = 0;
  // iconv-lite turns bytes it cannot map into U+FFFD; no legacy Japanese encoding can encode U+FFFD
  // itself, so every one found in the output marks a bad byte.
  const mark = (text: string): DecodedText => {
    let bad: number[] | null = null;
    for (let i = text.indexOf('\uFFFD'); i !== -1; i = text.indexOf('\uFFFD', i + 1)) (bad ??= []).push(offset + i);
    offset += text.length;
    return { text, bad };
  };
  for await (const chunk of chunks) {
    const text = decoder.write(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    if (text) yield mark(text);
  }
  const rest = decoder.end();
  if (rest) yield mark(rest);
}

/** Decode a stream of byte chunks in the given encoding (see {@link resolveEncoding}). */
export function decodeText(chunks: ByteChunks, encoding: string): AsyncGenerator<DecodedText> {
  const enc = resolveEncoding(encoding);
  if (!enc) throw new RenkeiError('CONFIG_INVALID', `unknown encoding "${encoding}"`);
  return enc === 'utf-8' ? decodeUtf8(chunks) : decodeIconv(chunks, enc);
}

/** Chunk size for file reads: large enough that per-chunk costs vanish, small enough to keep memory flat. */
export const READ_CHUNK = 256 * 1024;

/**
 * Read a file as a stream of byte chunks. A file that cannot be opened or read is a `SOURCE_IO`
 * error naming the path as the user wrote it. `onStream` hands out the stream so `close()` can stop it.
 */
export async function* readFileChunks(file: string, shown: string, onStream?: (s: fs.ReadStream | null) => void): AsyncGenerator<Buffer> {
  let handle: fs.promises.FileHandle;
  try {
    handle = await fs.promises.open(file, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : errorMessage(e);
    throw new RenkeiError('SOURCE_IO', `cannot open ${shown}: ${why}`, { cause: e });
  }
  // Size, time and identity at open: a file rewritten, truncated or replaced under the read must fail
  // the run, never end it "succeeded" with part of the rows. A device (/dev/zero) is not a file.
  const before = await handle.stat();
  const not = before.isCharacterDevice() || before.isBlockDevice() ? 'it is a device, not a file'
    : before.isDirectory() ? 'it is a directory'
      // /proc and /sys files say size 0 and are made up as they are read: not data files.
      : /^\/(proc|sys)\//.test(path.resolve(file)) ? 'it is a /proc or /sys file, not a data file' : '';
  if (not) {
    await handle.close();
    throw new RenkeiError('SOURCE_IO', `cannot read ${shown}: ${not}`);
  }
  const stream = handle.createReadStream({ highWaterMark: READ_CHUNK });
  onStream?.(stream);
  let bytes = 0;
  try {
    for await (const chunk of stream) { bytes += (chunk as Buffer).length; yield chunk as Buffer; }
  } catch (e) {
    throw new RenkeiError('SOURCE_IO', `cannot read ${shown}: ${errorMessage(e)}`, { cause: e });
  } finally {
    stream.destroy();
    onStream?.(null);
  }
  if (before.isFile()) {
    let after: fs.Stats | undefined;
    try { after = fs.statSync(file); } catch { /* removed */ }
    if (!after || after.ino !== before.ino || after.size !== before.size || after.mtimeMs !== before.mtimeMs || bytes !== before.size) {
      throw new RenkeiError('SOURCE_IO', `${shown} changed while it was being read (${before.size.toLocaleString('en-US')} bytes at open, ${after ? `${after.size.toLocaleString('en-US')} now` : 'gone now'}, ${bytes.toLocaleString('en-US')} read): the run stops so that no partial file is loaded; read it again once it is complete`);
    }
  }
}

/** The `encoding_check` option of the file sources. */
export const encodingCheckOption = z.boolean().default(true)
  .describe('Stop when the file looks like another encoding than `encoding` says (UTF-8 read as Shift_JIS would load mojibake such as 螻ｱ逕ｰ, and the reverse rejects every row). false reads it as told.');

/** Multibyte UTF-8 sequences in `b` (0 when `b` is not valid UTF-8). */
function utf8Multibyte(b: Uint8Array): number {
  if (!isUtf8(b)) return 0;
  let n = 0;
  for (let i = 0; i < b.length; i++) if (b[i] >= 0xc2 && b[i] <= 0xf4) n++;
  return n;
}

/**
 * Whether `b`, though not valid UTF-8, is mostly UTF-8: over three quarters of its non-ASCII bytes form
 * valid UTF-8 characters (a UTF-8 file with a damaged byte, whose rows with bad bytes are rejected),
 * which Shift_JIS text almost never does by chance.
 */
function mostlyUtf8(b: Uint8Array): boolean {
  let valid = 0, invalid = 0;
  for (let i = 0; i < b.length;) {
    if (b[i] < 0x80) { i++; continue; }
    const len = validSequence(b, i);
    if (len > 0) { valid += len; i += len; } else { invalid++; i++; }
  }
  return valid > 3 * invalid;
}

/**
 * Looks at the start of a file for the likely encoding mix-up and stops the read naming both
 * encodings: text whose bytes are valid UTF-8 with multibyte characters but declared Shift_JIS/EUC-JP,
 * or text declared UTF-8 that is not UTF-8 but decodes cleanly as CP932. The chunks pass on unchanged.
 */
export async function* checkEncoding(chunks: ByteChunks, encoding: string, shown: string, enabled = true): AsyncGenerator<Uint8Array> {
  let first = true;
  for await (const chunk of chunks) {
    if (first && enabled) {
      first = false;
      const enc = resolveEncoding(encoding);
      const sample = chunk.subarray(0, completePrefix(chunk.subarray(0, 64 * 1024)));
      if (enc !== 'utf-8' && utf8Multibyte(sample) >= 4) {
        throw new RenkeiError('SOURCE_ENCODING', `${shown} looks like UTF-8 (its bytes are valid UTF-8 text with Japanese characters), but encoding: ${encoding} was given: reading it that way would load mojibake. Set encoding: utf-8, or encoding_check: false to read it as ${encoding} anyway`);
      }
      if (enc === 'utf-8' && !isUtf8(sample) && !mostlyUtf8(sample)) {
        const asSjis = iconv.decode(Buffer.from(sample), 'cp932');
        if (!asSjis.includes('\uFFFD') && /[\u3040-\u30ff\u4e00-\u9fff]/.test(asSjis)) {
          throw new RenkeiError('SOURCE_ENCODING', `${shown} is not UTF-8 but reads cleanly as Shift_JIS (CP932), while encoding: ${encoding} was given: every row would be rejected. Set encoding: shift_jis, or encoding_check: false to read it as ${encoding} anyway`);
        }
      }
    }
    yield chunk;
  }
}
