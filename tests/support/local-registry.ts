/**
 * A real CNCF distribution registry (Debian's docker-registry, /usr/bin/docker-registry) for tests and CI:
 * bound to 127.0.0.1 only, storage in a temp dir, deletes enabled, optionally with htpasswd basic auth.
 * The engine treats 127.0.0.0/8 registries as insecure (plain http) by default, so it can pull from it as is.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, closeSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { request } from 'undici';
import { htpasswdLine } from './htpasswd.ts';

/** The local registry binary is missing or did not come up. */
class LocalRegistryError extends Error {}

export const REGISTRY_BIN_ENV = 'LUCID_REGISTRY_BIN';
export const DEFAULT_REGISTRY_BIN = '/usr/bin/docker-registry';

interface LocalRegistryOptions {
  /** 0 or absent: a free port. */
  port?: number;
  /** Storage and config directory (kept on stop); default a fresh temp dir (removed on stop). */
  dir?: string;
  /** Basic auth users (user → password), written as a bcrypt htpasswd file. */
  users?: Record<string, string>;
  log?: (line: string) => void;
  /** How long to wait for /v2/ to answer (default 15 s). */
  startTimeoutMs?: number;
}

export interface LocalRegistry {
  /** http://127.0.0.1:<port> */
  url: string;
  /** 127.0.0.1:<port>, the form image references and --registry take. */
  host: string;
  port: number;
  dir: string;
  pid: number;
  /** The registry's own log (stderr), for failure messages. */
  logFile: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** The registry's config. JSON is valid YAML, so no YAML writer (or escaping rules) is needed. */
function registryConfig(o: { port: number; storage: string; htpasswd?: string }): string {
  const config = {
    version: '0.1',
    log: { level: 'info', formatter: 'text', accesslog: { disabled: true } },
    storage: {
      filesystem: { rootdirectory: o.storage },
      delete: { enabled: true },
      maintenance: { uploadpurging: { enabled: false } }, // no background sweeps racing a short test
    },
    http: {
      addr: `127.0.0.1:${o.port}`,
      secret: randomBytes(16).toString('hex'),
      headers: { 'X-Content-Type-Options': ['nosniff'] },
    },
    ...(o.htpasswd && { auth: { htpasswd: { realm: 'lucid-harness', path: o.htpasswd } } }),
  };
  return `${JSON.stringify(config, null, 2)}\n`;
}

const tail = (file: string, n = 8) =>
  existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').slice(-n).join('\n') : '';

/** Children still running when the process exits are killed, so a crashed test leaves no registry behind. */
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of live) c.kill('SIGKILL');
});

export async function startLocalRegistry(opts: LocalRegistryOptions = {}): Promise<LocalRegistry> {
  const bin = process.env[REGISTRY_BIN_ENV] || DEFAULT_REGISTRY_BIN;
  if (!existsSync(bin))
    throw new LocalRegistryError(
      `no registry binary at ${bin}: install the Debian package docker-registry (bin/bootstrap-host.sh does) or set ${REGISTRY_BIN_ENV}`,
    );
  const own = !opts.dir;
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'lucid-registry-'));
  mkdirSync(join(dir, 'storage'), { recursive: true });
  let htpasswd: string | undefined;
  if (opts.users) {
    htpasswd = join(dir, 'htpasswd');
    // Cost 6: test credentials; the registry checks bcrypt at every request, so a high cost only slows tests.
    writeFileSync(
      htpasswd,
      `${Object.entries(opts.users)
        .map(([u, p]) => htpasswdLine(u, p, 6))
        .join('\n')}\n`,
      { mode: 0o600 },
    );
  }
  const log = opts.log ?? (() => {});
  // A picked free port can be taken before the registry binds it: try a few.
  for (let attempt = 0; ; attempt++) {
    const port = opts.port || (await freePort());
    const configFile = join(dir, 'config.yml');
    writeFileSync(configFile, registryConfig({ port, storage: join(dir, 'storage'), htpasswd }));
    const logFile = join(dir, 'registry.log');
    const fd = openSync(logFile, 'w');
    // REGISTRY_* variables override the config file: start from an environment without them.
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('REGISTRY_')));
    const child = spawn(bin, ['serve', configFile], { stdio: ['ignore', fd, fd], env });
    closeSync(fd);
    live.add(child);
    let exited: string | undefined;
    const exitedP = new Promise<void>((r) =>
      child.once('exit', (code, signal) => {
        exited = `exit ${code ?? signal}`;
        live.delete(child);
        r();
      }),
    );
    const url = `http://127.0.0.1:${port}`;
    const stop = async () => {
      if (!exited) {
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exitedP;
        clearTimeout(killer);
      }
      if (own) rmSync(dir, { recursive: true, force: true });
    };
    const ready = await waitReady(url, () => exited, opts.startTimeoutMs ?? 15_000);
    if (ready) {
      log(`registry ${url} up (pid ${child.pid}, storage ${dir})`);
      return { url, host: `127.0.0.1:${port}`, port, dir, pid: child.pid!, logFile, stop };
    }
    const why = tail(logFile);
    if (!exited) child.kill('SIGKILL');
    await exitedP;
    if (!opts.port && /address already in use/.test(why) && attempt < 3) continue;
    if (own) rmSync(dir, { recursive: true, force: true });
    throw new LocalRegistryError(
      `registry ${bin} did not come up on ${url} (${exited ?? 'no answer on /v2/'}): ${why.split('\n').pop() ?? ''}`,
    );
  }
}

/** /v2/ answers 200, or 401 when auth is on: either way the registry serves. */
async function waitReady(url: string, exited: () => string | undefined, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !exited()) {
    try {
      const r = await request(`${url}/v2/`, { headersTimeout: 1000, bodyTimeout: 1000 });
      await r.body.dump();
      if (r.statusCode === 200 || r.statusCode === 401) return true;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}
