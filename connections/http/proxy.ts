/**
 * Requests through an HTTP proxy by CONNECT tunnel (`https_proxy`): APIs that accept a token only from
 * permitted IP addresses (KING OF TIME) are reached through a proxy with a fixed egress address. The
 * tunnel carries TLS end to end for https targets (the proxy sees host and port only, never the token);
 * plain http targets (sandboxes) go through the same tunnel unencrypted.
 */
import http from 'node:http';
import https from 'node:https';
import type net from 'node:net';
import tls from 'node:tls';

type Done = (err: Error | null, socket?: net.Socket) => void;

/** The proxy URL with its credentials removed, for messages. */
export function proxyLabel(proxy: URL): string {
  return `${proxy.protocol}//${proxy.host}`;
}

function tunnel(proxy: URL, host: string, port: number, secure: boolean, servername: string | undefined, done: Done): void {
  const auth = proxy.username ? { 'proxy-authorization': `Basic ${Buffer.from(`${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`).toString('base64')}` } : {};
  const req = http.request({ host: proxy.hostname, port: Number(proxy.port || 80), method: 'CONNECT', path: `${host}:${port}`, headers: { host: `${host}:${port}`, ...auth } });
  req.once('connect', (res, socket) => {
    if (res.statusCode !== 200) {
      socket.destroy();
      done(new Error(`proxy ${proxyLabel(proxy)} refused the tunnel to ${host}:${port} (HTTP ${res.statusCode})`));
      return;
    }
    done(null, secure ? tls.connect({ socket, servername: servername ?? host }) : socket);
  });
  req.once('error', (e) => done(new Error(`proxy ${proxyLabel(proxy)} unreachable: ${e.message}`)));
  req.end();
}

/** Keep-alive agents whose connections are tunnels through `proxyUrl` (http: or https: targets). */
export function proxyAgents(proxyUrl: string): { http: http.Agent; https: https.Agent } {
  const proxy = new URL(proxyUrl);
  const opts = { keepAlive: true, maxSockets: 32, timeout: 4000 };
  const h = new http.Agent(opts);
  const s = new https.Agent(opts);
  (h as unknown as { createConnection: unknown }).createConnection = (o: { host: string; port: number }, cb: Done) => { tunnel(proxy, o.host, Number(o.port), false, undefined, cb); };
  (s as unknown as { createConnection: unknown }).createConnection = (o: { host: string; port: number; servername?: string }, cb: Done) => { tunnel(proxy, o.host, Number(o.port), true, o.servername, cb); };
  return { http: h, https: s };
}
