/** Turns facts into problems, each one line with its fix. Pure: no Docker, no files, no clock. */
import type { Facts } from './facts.ts';
import { hostProblems, hostWarnings } from '../host/judge.ts';

const GiB = 1024 ** 3;
/** Reference and defect images for both platforms, their build layers and test containers. */
export const MIN_FREE_ENGINE_BYTES = 5 * GiB;
/** Downloaded .deb packages and image build inputs. */
export const MIN_FREE_CACHE_BYTES = 1 * GiB;
/** package.json "engines". */
const MIN_NODE: readonly [number, number] = [20, 19];

export const gib = (bytes: number) => `${(bytes / GiB).toFixed(1)} GiB`;

const BOOTSTRAP = '`bash bin/bootstrap-host.sh`';
const installEmulation = (arch: string) => `\`docker run --privileged --rm tonistiigi/binfmt --install ${arch}\``;

export function judge(f: Facts): string[] {
  const problems: string[] = [];
  const e = f.engine;

  if (!e.reachable) {
    problems.push(
      e.local
        ? `no Docker engine answers at ${e.endpoint} (${e.error}): run ${BOOTSTRAP}, or install Docker and start it`
        : `the remote engine at ${e.endpoint} does not answer (${e.error}): start it, or unset DOCKER_HOST to use a local one`,
    );
  } else {
    if (e.os !== 'linux') problems.push(`the engine runs ${e.os} containers: switch Docker to Linux containers`);
    for (const r of f.runs) {
      if (r.ok) continue;
      const arch = r.platform.split('/')[1] ?? r.platform;
      const what = r.error ?? `exit ${r.exitCode}, printed ${JSON.stringify(r.output)}`;
      problems.push(
        arch === e.arch
          ? `native ${r.platform} containers do not run (${what}): the engine itself is broken; see its log`
          : `${r.platform} containers do not run here (${what}): enable emulation with ${BOOTSTRAP} or ${installEmulation(arch)}`,
      );
    }
  }

  const disk = (d: Facts['engineDisk'], min: number, what: string, fix: string) => {
    if (d.measured && d.freeBytes < min)
      problems.push(`only ${gib(d.freeBytes)} free for ${what} ${d.path} (need ${gib(min)}): ${fix}`);
  };
  disk(
    f.engineDisk,
    MIN_FREE_ENGINE_BYTES,
    'the engine data root',
    'free space, e.g. `docker system prune`, or move the data root',
  );
  disk(f.cacheDisk, MIN_FREE_CACHE_BYTES, 'the cache dir', 'free space, or point LUCID_CACHE_DIR at a bigger disk');

  const b = f.binfmt;
  if (b.applicable) {
    if (!b.present || !b.enabled)
      problems.push(
        `arm64 emulation is off (binfmt qemu-aarch64 ${b.present ? 'disabled' : 'not registered'}): run ${BOOTSTRAP} or ${installEmulation('arm64')}`,
      );
    else if (!b.flags.includes('F'))
      problems.push(
        `binfmt qemu-aarch64 lacks the F flag (flags "${b.flags}"), so arm64 programs fail inside containers: run ${BOOTSTRAP}`,
      );
  }

  const r = f.ryuk;
  if (r.env !== undefined && r.env !== 'true' && r.reaperImagePresent !== true)
    problems.push(
      `TESTCONTAINERS_RYUK_DISABLED=${r.env} lets testcontainers start its reaper (only "true" disables it), but ${r.image} is not on the engine and there is no registry to pull it from: unset it (the harness defaults it to true) or set it to true`,
    );

  const [major = 0, minor = 0] = f.node.split('.').map(Number);
  if (major < MIN_NODE[0] || (major === MIN_NODE[0] && minor < MIN_NODE[1]))
    problems.push(`node ${f.node} is too old (need ${MIN_NODE.join('.')} or newer): install a current Node 20 or 22`);

  problems.push(...hostProblems(f.host));
  return problems;
}

/** What the host cannot enforce or may distort (memory limits off, throttling): said, but not a problem. */
export const warnings = (f: Facts): string[] => hostWarnings(f.host);
