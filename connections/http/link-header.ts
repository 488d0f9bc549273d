/** RFC 8288 `Link` header → { rel: url }: `<https://x/api/v1/crews?page=2>; rel="next", ...`. */
export function parseLinkHeader(header: string | null | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!header) return out;
  for (const m of header.matchAll(/<([^>]*)>((?:\s*;\s*[^;,]+)*)/g)) {
    const rel = /;\s*rel\s*=\s*(?:"([^"]*)"|([^\s;,]+))/i.exec(m[2]);
    if (!rel) continue;
    for (const r of (rel[1] ?? rel[2]).split(/\s+/)) if (r && !(r in out)) out[r.toLowerCase()] = m[1];
  }
  return out;
}
