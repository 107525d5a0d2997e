#!/usr/bin/env node
// Preflight for the npm scripts: dependencies installed, a Docker engine answering, arm64 emulation on.
// Plain Node with no dependencies, because it runs before `npm ci` on a fresh clone. Quiet and fast (one
// stat, one HTTP ping, one small /proc read) when all is ready; it repairs via `npm ci` and
// bin/bootstrap-host.sh otherwise. Exit 0 ready, 2 not (with one line saying why).
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PING_TIMEOUT_MS = 2000;
const DOCKER_HOST = process.env.DOCKER_HOST || 'unix:///var/run/docker.sock';
const LOCAL_ENGINE = DOCKER_HOST.startsWith('unix://');

const fail = (msg) => {
  console.error(`ensure-ready: ${msg}`);
  process.exit(2);
};
const mtimeMs = (p) => {
  try {
    return statSync(p).mtimeMs;
  } catch {
    return undefined;
  }
};

function depsStale() {
  // npm rewrites node_modules/.package-lock.json at the end of every install; the folder's own mtime can
  // predate package-lock.json even right after `npm ci`, so it is the wrong witness.
  const installed = mtimeMs(path.join(ROOT, 'node_modules', '.package-lock.json'));
  const lock = mtimeMs(path.join(ROOT, 'package-lock.json'));
  return installed === undefined || (lock !== undefined && installed < lock);
}

/** GET /_ping over the unix socket or tcp (TLS per DOCKER_TLS_VERIFY / DOCKER_CERT_PATH). undefined = can't tell (ssh). */
function ping() {
  let opts;
  let lib = http;
  if (LOCAL_ENGINE) {
    opts = { socketPath: DOCKER_HOST.slice('unix://'.length) };
  } else if (DOCKER_HOST.startsWith('tcp://')) {
    const u = new URL(DOCKER_HOST.replace(/^tcp:/, 'http:'));
    opts = { host: u.hostname, port: u.port || 2375 };
    if (process.env.DOCKER_TLS_VERIFY || process.env.DOCKER_TLS) {
      const certs = process.env.DOCKER_CERT_PATH || path.join(os.homedir(), '.docker');
      const read = (f) => {
        try {
          return readFileSync(path.join(certs, f));
        } catch {
          return undefined;
        }
      };
      lib = https;
      opts = { ...opts, port: u.port || 2376, ca: read('ca.pem'), cert: read('cert.pem'), key: read('key.pem') };
      opts.rejectUnauthorized = Boolean(process.env.DOCKER_TLS_VERIFY);
    }
  } else {
    return Promise.resolve(undefined);
  }
  return new Promise((resolve) => {
    const req = lib.get({ ...opts, path: '/_ping', timeout: PING_TIMEOUT_MS }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

/** On a local x86-64 Linux engine, arm64 containers need binfmt qemu-aarch64 enabled with the F flag. */
function emulationReady() {
  if (!LOCAL_ENGINE || process.platform !== 'linux' || os.arch() !== 'x64') return true;
  try {
    const entry = readFileSync('/proc/sys/fs/binfmt_misc/qemu-aarch64', 'utf8');
    return /^enabled$/m.test(entry) && /^flags:.*F/m.test(entry);
  } catch {
    return false;
  }
}

if (depsStale()) {
  console.log('ensure-ready: node_modules missing or older than package-lock.json: running npm ci');
  const r = spawnSync('npm', ['ci'], { cwd: ROOT, stdio: 'inherit', shell: process.platform === 'win32' });
  if (r.status !== 0) fail(`npm ci failed (exit ${r.status ?? r.signal}); fix the error above and run it again`);
}

const answered = await ping();
if (answered !== true || !emulationReady()) {
  const why =
    answered === false
      ? `no Docker engine answers at ${DOCKER_HOST}`
      : answered
        ? 'arm64 emulation is off'
        : `cannot ping ${DOCKER_HOST} from Node`;
  console.log(`ensure-ready: ${why}: running bin/bootstrap-host.sh`);
  const r = spawnSync('bash', [path.join(ROOT, 'bin', 'bootstrap-host.sh')], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) fail(`host not ready (${why}); bin/bootstrap-host.sh said what is missing above`);
  if ((await ping()) === false) fail(`bin/bootstrap-host.sh finished but no Docker engine answers at ${DOCKER_HOST}`);
}
