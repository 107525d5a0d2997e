/** Proves a platform runs here: one container from the probe image, its output checked, then removed. */
import type Docker from 'dockerode';
import type { Platform } from '../model/platform.ts';
import { docker } from '../engine/docker.ts';
import { harnessLabels } from '../engine/labels.ts';
import { ensureProbeImage, PROBE_ROLE, probeMessage } from './probe-image.ts';

/** Generous: the probe itself takes milliseconds, but a busy 2-core host can take seconds to start a container. */
const PROBE_RUN_TIMEOUT_MS = 60_000;

export interface PlatformRun {
  platform: Platform;
  ok: boolean;
  /** What the container printed (stdout and stderr), trimmed. */
  output: string;
  exitCode?: number;
  error?: string;
  ms: number;
}

export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms / 1000} s`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** Non-TTY logs come as frames: 1 byte stream, 3 zero bytes, 4-byte big-endian length, payload. */
function demuxLogs(b: Buffer): string {
  let out = '';
  for (let i = 0; i + 8 <= b.length;) {
    const size = b.readUInt32BE(i + 4);
    out += b.subarray(i + 8, i + 8 + size).toString('utf8');
    i += 8 + size;
  }
  return out;
}

export async function runProbe(platform: Platform): Promise<PlatformRun> {
  const started = performance.now();
  let container: Docker.Container | undefined;
  const result = (r: Omit<PlatformRun, 'platform' | 'ms'>): PlatformRun => ({
    platform,
    ms: Math.round(performance.now() - started),
    ...r,
  });
  try {
    const image = await ensureProbeImage(platform);
    container = await docker().createContainer({
      Image: image,
      platform,
      Labels: harnessLabels(PROBE_ROLE),
      HostConfig: { NetworkMode: 'none' },
    });
    await container.start();
    const { StatusCode } = (await withTimeout(container.wait(), PROBE_RUN_TIMEOUT_MS, `the ${platform} probe`)) as {
      StatusCode: number;
    };
    const output = demuxLogs(await container.logs({ stdout: true, stderr: true })).trim();
    const ok = StatusCode === 0 && output === probeMessage(platform).trim();
    return result({ ok, output, exitCode: StatusCode });
  } catch (e) {
    // "exec format error" when start fails is the classic sign of missing emulation.
    return result({ ok: false, output: '', error: e instanceof Error ? e.message : String(e) });
  } finally {
    await container?.remove({ force: true }).catch(() => undefined);
  }
}
