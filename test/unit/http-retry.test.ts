import { describe, expect, it } from 'vitest';
import { backoffMs, retryAfterMs } from '../../connections/http/retry.ts';
import { parseLinkHeader } from '../../connections/http/link-header.ts';
import { describeFailure, isTransientStatus } from '../../connections/http/errors.ts';
import { parseSmarthrError as parseApiError } from '../../connections/smarthr/errors.ts';

describe('backoff', () => {
  const o = { baseMs: 100, maxDelayMs: 1000 };
  it('grows exponentially, with jitter in the upper half, capped', () => {
    expect(backoffMs(1, o, () => 0)).toBe(50);
    expect(backoffMs(1, o, () => 0.999)).toBeCloseTo(100, 0);
    expect(backoffMs(3, o, () => 0)).toBe(200);
    expect(backoffMs(10, o, () => 1)).toBe(1000);
    expect(backoffMs(10, o, () => 0)).toBe(500);
  });
  it('is never zero, so Retry-After: 0 cannot make a hot loop', () => {
    for (let a = 1; a < 20; a++) expect(backoffMs(a, o, () => 0)).toBeGreaterThanOrEqual(50);
  });
});

describe('Retry-After', () => {
  it('reads delta-seconds and HTTP dates', () => {
    expect(retryAfterMs('0')).toBe(0);
    expect(retryAfterMs('3')).toBe(3000);
    expect(retryAfterMs(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
    expect(retryAfterMs(null)).toBeUndefined();
    expect(retryAfterMs('soon')).toBeUndefined();
  });
});

describe('Link header', () => {
  it('parses first/prev/next/last', () => {
    const h = '<https://x.smarthr.jp/api/v1/crews?page=1&per_page=100>; rel="first", <https://x.smarthr.jp/api/v1/crews?page=2&per_page=100>; rel="prev", '
      + '<https://x.smarthr.jp/api/v1/crews?page=4&per_page=100>; rel="next", <https://x.smarthr.jp/api/v1/crews?page=9&per_page=100>; rel="last"';
    const l = parseLinkHeader(h);
    expect(l.next).toBe('https://x.smarthr.jp/api/v1/crews?page=4&per_page=100');
    expect(l.last).toContain('page=9');
    expect(Object.keys(l).sort()).toEqual(['first', 'last', 'next', 'prev']);
  });
  it('a missing header means no links (a single page)', () => {
    expect(parseLinkHeader(null)).toEqual({});
    expect(parseLinkHeader('')).toEqual({});
  });
  it('accepts unquoted rel and extra parameters', () => {
    expect(parseLinkHeader('<http://a/b?page=2>; title="x"; rel=next')).toEqual({ next: 'http://a/b?page=2' });
  });
});

describe('error mapping', () => {
  it('keeps the SmartHR error body code/type/message in the message', () => {
    const body = '{"code":1,"type":"bad_request","message":"invalid","errors":[{"message":"is invalid","resource":"crew","field":"emp_code"}]}';
    const api = parseApiError(body);
    expect(api?.type).toBe('bad_request');
    expect(describeFailure('PATCH /v1/crews/{id}', 400, api, body)).toBe('PATCH /v1/crews/{id}: HTTP 400 bad_request (code 1): invalid [emp_code: is invalid]');
  });
  it('a proxy page is summarised, not parsed', () => {
    expect(parseApiError('<html>502</html>')).toBeUndefined();
    expect(describeFailure('GET /v1/crews page 2', 502, undefined, '<html>\n502 Bad Gateway</html>')).toBe('GET /v1/crews page 2: HTTP 502 <html> 502 Bad Gateway</html>');
  });
  it('marks 429, 408 and 5xx transient, other 4xx not', () => {
    expect([429, 408, 500, 502, 503].every(isTransientStatus)).toBe(true);
    expect([400, 401, 403, 404].some(isTransientStatus)).toBe(false);
  });
});
