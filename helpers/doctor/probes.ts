/** Small probes, each returning one fact about this host; none of them judges. */
import { existsSync, readFileSync } from 'node:fs';
import { statfs } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PLATFORMS, normaliseArch } from '../model/platform.ts';
import { docker } from '../engine/docker.ts';
import type { BinfmtProbe, DiskProbe, EngineProbe, Facts } from './facts.ts';
import { runProbe, withTimeout } from './run-probe.ts';
import { gatherHostFacts } from '../host/gather.ts';

const ENGINE_TIMEOUT_MS = 10_000;
const BINFMT_ENTRY = '/proc/sys/fs/binfmt_misc/qemu-aarch64';
/** testcontainers 11.14's reaper image (RYUK_CONTAINER_IMAGE overrides it there too). */
const REAPER_IMAGE = process.env.RYUK_CONTAINER_IMAGE ?? 'testcontainers/ryuk:0.14.0';

const engineEndpoint = () => process.env.DOCKER_HOST || 'unix:///var/run/docker.sock';
const engineIsLocal = () => engineEndpoint().startsWith('unix://');

/** Where the harness keeps downloads and build inputs. */
const cacheDir = () =>
  process.env.LUCID_CACHE_DIR || path.join(fileURLToPath(new URL('../..', import.meta.url)), '.cache');

/** Node says x64/arm64; images say amd64/arm64. */
const hostArch = () => normaliseArch(os.arch() === 'x64' ? 'x86_64' : os.arch());

async function probeEngine(): Promise<EngineProbe> {
  const endpoint = engineEndpoint();
  const local = engineIsLocal();
  try {
    const [v, info] = await withTimeout(
      Promise.all([docker().version(), docker().info() as Promise<{ DockerRootDir: string }>]),
      ENGINE_TIMEOUT_MS,
      'asking the engine for its version',
    );
    return {
      reachable: true,
      endpoint,
      local,
      version: v.Version,
      apiVersion: v.ApiVersion,
      os: v.Os,
      arch: normaliseArch(v.Arch),
      rootDir: info.DockerRootDir,
    };
  } catch (e) {
    return { reachable: false, endpoint, local, error: e instanceof Error ? e.message : String(e) };
  }
}

/** Free bytes for unprivileged writers at `dir`, or at its nearest existing parent if it isn't there yet. */
async function probeDisk(dir: string): Promise<DiskProbe> {
  let at = dir;
  while (!existsSync(at) && path.dirname(at) !== at) at = path.dirname(at);
  try {
    const s = await statfs(at);
    return {
      path: dir,
      measured: true,
      freeBytes: s.bavail * s.bsize,
      ...(at !== dir ? { note: `not created yet; measured at ${at}` } : {}),
    };
  } catch (e) {
    return { path: dir, measured: false, reason: e instanceof Error ? e.message : String(e) };
  }
}

async function probeEngineDisk(engine: EngineProbe): Promise<DiskProbe> {
  if (!engine.reachable) return { path: '(unknown)', measured: false, reason: 'engine unreachable' };
  if (!engine.local)
    return {
      path: engine.rootDir,
      measured: false,
      reason: `remote engine (${engine.endpoint}): cannot be measured from here`,
    };
  return probeDisk(engine.rootDir);
}

function probeBinfmt(engineLocal: boolean): BinfmtProbe {
  if (!engineLocal) return { applicable: false, reason: 'remote engine: its emulation lives on its own host' };
  if (process.platform !== 'linux')
    return { applicable: false, reason: `${process.platform} host: emulation is Docker Desktop's` };
  if (hostArch() !== 'amd64') return { applicable: false, reason: `${hostArch()} host: linux/arm64 is native` };
  let entry = '';
  try {
    entry = readFileSync(BINFMT_ENTRY, 'utf8');
  } catch {
    return { applicable: true, present: false, enabled: false, flags: '', interpreter: '' };
  }
  const field = (k: string) => new RegExp(`^${k} ?(.*)$`, 'm').exec(entry)?.[1]?.trim() ?? '';
  return {
    applicable: true,
    present: true,
    enabled: /^enabled$/m.test(entry),
    flags: field('flags:'),
    interpreter: field('interpreter'),
  };
}

async function probeRyuk(engine: EngineProbe): Promise<Facts['ryuk']> {
  const env = process.env.TESTCONTAINERS_RYUK_DISABLED;
  // The image only matters when the environment would let testcontainers start its reaper.
  if (env === undefined || env === 'true' || !engine.reachable)
    return { env, image: REAPER_IMAGE, reaperImagePresent: undefined };
  const present = await docker()
    .getImage(REAPER_IMAGE)
    .inspect()
    .then(
      () => true,
      () => false,
    );
  return { env, image: REAPER_IMAGE, reaperImagePresent: present };
}

export async function gatherFacts(): Promise<Facts> {
  const engine = await probeEngine();
  const runs = [];
  // One at a time: on a 2-core host the emulated start must not compete with the native one.
  if (engine.reachable) for (const p of PLATFORMS) runs.push(await runProbe(p));
  return {
    engine,
    hostArch: hostArch(),
    runs,
    engineDisk: await probeEngineDisk(engine),
    cacheDisk: await probeDisk(cacheDir()),
    binfmt: probeBinfmt(engine.local),
    ryuk: await probeRyuk(engine),
    node: process.versions.node,
    host: await gatherHostFacts(),
  };
}
