/**
 * Availability windows (closed hours) and the profile strategies of the connections layer: window
 * arithmetic in a time zone, the client never sending inside a window (wait / fail) on a virtual
 * clock against a real server on 127.0.0.1, throttle bodies, and unpaged lists.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import pino from 'pino';
import { HttpClient } from '../../connections/http/client.ts';
import { HttpError } from '../../connections/http/errors.ts';
import { pagingStrategies } from '../../connections/http/paging.ts';
import { resetHeaders } from '../../connections/http/rate-headers.ts';
import { availabilityWindows, closedAt } from '../../connections/http/windows.ts';
import { fakeProfile, parseFakeError } from '../fixtures/fake-api/profile.ts';
import { fakeApiClosed, startFakeApi, type FakeApi } from '../fixtures/fake-api/server.ts';
import { tokyo, virtualClock, type VirtualClock } from '../helpers/virtual-clock.ts';

const KOT = availabilityWindows('Asia/Tokyo', ['08:30-10:00', '17:30-18:30'], 'wait');
const MIN = 60_000;

describe('availability windows', () => {
  it('knows the closed hours in the zone, and how long until they end', () => {
    expect(closedAt(KOT, tokyo('08:29:59'))).toBeUndefined();
    expect(closedAt(KOT, tokyo('08:30:00'))).toMatchObject({ span: { text: '08:30–10:00' }, opensInMs: 90 * MIN });
    expect(closedAt(KOT, tokyo('09:59:59.500'))?.opensInMs).toBe(500);
    expect(closedAt(KOT, tokyo('10:00:00'))).toBeUndefined();
    expect(closedAt(KOT, tokyo('18:00:00'))).toMatchObject({ span: { text: '17:30–18:30' }, opensInMs: 30 * MIN });
    // The same instant read in UTC: 23:30 UTC is 08:30 in Tokyo.
    expect(closedAt(KOT, Date.parse('2026-03-31T23:30:00Z'))?.opensInMs).toBe(90 * MIN);
    expect(closedAt(availabilityWindows('UTC', ['08:30-10:00'], 'wait'), Date.parse('2026-03-31T23:30:00Z'))).toBeUndefined();
  });

  it('a window may run past midnight', () => {
    const night = availabilityWindows('Asia/Tokyo', ['23:00-01:00'], 'fail');
    expect(closedAt(night, tokyo('22:59:00'))).toBeUndefined();
    expect(closedAt(night, tokyo('23:30:00'))?.opensInMs).toBe(90 * MIN);
    expect(closedAt(night, tokyo('00:30:00'))?.opensInMs).toBe(30 * MIN);
    expect(closedAt(night, tokyo('01:00:00'))).toBeUndefined();
  });

  it('refuses malformed spans and unknown zones when the profile is defined', () => {
    expect(() => availabilityWindows('Asia/Tokyo', ['8:30-10:00'], 'wait')).toThrow(/HH:MM/);
    expect(() => availabilityWindows('Asia/Tokyo', ['08:30'], 'wait')).toThrow(/HH:MM-HH:MM/);
    expect(() => availabilityWindows('Asia/Tokyo', ['10:00-10:00'], 'wait')).toThrow(/empty/);
    expect(() => availabilityWindows('Mars/Olympus', ['08:30-10:00'], 'wait')).toThrow(RangeError);
  });

  it('the fake API server agrees with the window code at every minute of a day', () => {
    for (let m = 0; m < 1440; m++) {
      const t = tokyo('00:00:00') + m * MIN;
      expect(closedAt(KOT, t) !== undefined, `minute ${m}`).toBe(fakeApiClosed(t));
    }
  });
});

const apis: FakeApi[] = [];
afterEach(async () => { for (const a of apis.splice(0)) await a.stop(); });

async function fake(clock: VirtualClock, lists: Record<string, unknown[]>, throttleFirst = 0): Promise<FakeApi> {
  const api = await startFakeApi({ wall: clock.wall, lists, throttleFirst });
  apis.push(api);
  return api;
}

function client(api: FakeApi, clock: VirtualClock, over: Partial<ConstructorParameters<typeof HttpClient>[0]> = {}): HttpClient {
  return new HttpClient({ baseUrl: api.url, profile: fakeProfile, token: api.token, rateLimit: 100, timeoutMs: 2000, logger: pino({ level: 'silent' }), clock, retry: { baseMs: 100, attempts: 3 }, ...over });
}

describe('HttpClient and closed hours', () => {
  it('wait: sends nothing inside the window, sleeps on the clock until it ends, then succeeds', async () => {
    const clock = virtualClock(tokyo('08:45:00'));
    const api = await fake(clock, { employees: [{ key: 'k1' }] });
    const res = await client(api, clock).request({ method: 'GET', path: '/employees' });
    expect(res.data).toEqual([{ key: 'k1' }]);
    expect(api.requests).toHaveLength(1);
    expect(api.requests[0].wall).toBeGreaterThanOrEqual(tokyo('10:00:00'));
    expect(clock.sleeps).toContain(75 * MIN);
  });

  it('fail: throws a non-retried closed-hours error and sends nothing', async () => {
    const clock = virtualClock(tokyo('17:45:00'));
    const api = await fake(clock, { employees: [] });
    const err = await client(api, clock, { windows: { ...fakeProfile.windows!, policy: 'fail' } }).request({ method: 'GET', path: '/employees', label: 'GET /employees' })
      .catch((e: unknown) => e) as HttpError;
    expect(err).toBeInstanceOf(HttpError);
    expect(err.closedHours).toBe(true);
    expect(err.code).toBe('SOURCE_HTTP');
    expect(err.message).toMatch(/GET \/employees: FakeAPI takes no requests during 08:30–10:00, 17:30–18:30 Asia\/Tokyo/);
    expect(api.requests).toHaveLength(0);
  });

  it('a window that begins while a request waits for its rate-limit turn is waited out too', async () => {
    const clock = virtualClock(tokyo('08:29:59.500'));
    const api = await fake(clock, { employees: [] });
    const c = client(api, clock, { rateLimit: 1 });
    // The first goes at 08:29:59.5; the second's turn comes a second later, inside the window.
    await Promise.all([c.request({ method: 'GET', path: '/employees' }), c.request({ method: 'GET', path: '/employees' })]);
    expect(api.requests.map((r) => r.status)).toEqual([200, 200]);
    expect(api.requests.every((r) => !fakeApiClosed(r.wall))).toBe(true);
    expect(api.requests[1].wall).toBeGreaterThanOrEqual(tokyo('10:00:00'));
  });

  it('a refusal for closed hours that the client did not foresee is transient, so even a POST is retried', async () => {
    // The server's clock runs 10 minutes ahead of the client's: it is closed, the client thinks not.
    const clock = virtualClock(tokyo('08:25:00'));
    const api = await startFakeApi({ wall: () => clock.wall() + 10 * MIN, lists: { employees: [] } });
    apis.push(api);
    const err = await client(api, clock, { windows: null, retry: { attempts: 2, baseMs: 100 } }).request({ method: 'POST', path: '/employees', body: {} }).catch((e: unknown) => e) as HttpError;
    expect(api.requests.map((r) => r.status)).toEqual([403, 403]);
    expect(err.api).toMatchObject({ code: 104, transient: true });
    expect(err.attempts).toBe(2);
    expect(err.message).toMatch(/HTTP 403 error \(code 104\)/);
  });
});

describe('profile strategies', () => {
  it('a throttle body is waited out like a 429 and does not use up attempts', async () => {
    const clock = virtualClock(tokyo('11:00:00'));
    const api = await fake(clock, { employees: [{ key: 'a' }] }, 3);
    const res = await client(api, clock, { retry: { attempts: 1, baseMs: 100 } }).request({ method: 'GET', path: '/employees' });
    expect(res.attempts).toBe(4);
    expect(api.requests.map((r) => r.status)).toEqual([429, 429, 429, 200]);
  });

  it('error bodies: the fake API\'s errors array and its throttle form', () => {
    expect(parseFakeError('{"errors":[{"message":"bad date","code":111},{"message":"bad code","code":112}]}'))
      .toEqual({ code: 111, message: 'bad date', transient: undefined, details: ['bad code (code 112)'] });
    expect(parseFakeError('{"code":"303","message":"Too Many Requests"}')).toMatchObject({ code: '303', rateLimited: true, transient: true });
    expect(parseFakeError('<html>busy</html>')).toBeUndefined();
  });

  it('rate headers: the longer wait of the families used up, counting requests in flight', () => {
    const read = resetHeaders(['x-a', 'x-b']);
    const h = (o: Record<string, string>) => new Headers(o);
    expect(read(h({ 'x-a-remaining': '5', 'x-a-reset': '3' }), 0)).toBeUndefined();
    expect(read(h({ 'x-a-remaining': '2', 'x-a-reset': '3' }), 2)).toEqual({ waitMs: 3000, remaining: 2 });
    expect(read(h({ 'x-a-remaining': '0', 'x-a-reset': '3', 'x-b-remaining': '0', 'x-b-reset': '9' }), 0)).toEqual({ waitMs: 9000, remaining: 0 });
  });

  it('paging none: one request without page parameters; a repeated identity fails the read', async () => {
    const clock = virtualClock(tokyo('11:00:00'));
    const api = await fake(clock, { employees: [{ key: 'a' }, { key: 'b' }], divisions: [{ key: 'x' }, { key: 'x' }] });
    const c = client(api, clock);
    const pages = [];
    for await (const p of pagingStrategies.none(c, { path: '/employees', query: {}, perPage: 100, concurrency: 1, idField: 'key' })) pages.push(p);
    expect(pages).toEqual([{ page: 1, at: 'GET /employees', items: [{ key: 'a' }, { key: 'b' }] }]);
    expect(api.requests.map((r) => r.path)).toEqual(['/v1.0/employees']);
    const err = await (async () => { for await (const _ of pagingStrategies.none(c, { path: '/divisions', query: {}, perPage: 100, concurrency: 1, idField: 'key' })) { /* read */ } })().catch((e: unknown) => e);
    expect(String(err)).toMatch(/GET \/divisions: key x was already read/);
  });
});
