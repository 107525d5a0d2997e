/**
 * Image config JSON, written by us (no builder): deterministic key order and timestamps, so the
 * image id (sha256 of these bytes) depends only on the inputs.
 */
import { archOf, variantOf, type Platform } from '../model/platform.ts';
import type { LayerRef } from './layer.ts';

/** Docker's own field names; durations in nanoseconds (see `healthcheck()` for a friendlier form). */
export interface ImageConfigInput {
  User?: string;
  Env?: string[];
  Entrypoint?: string[];
  Cmd?: string[];
  WorkingDir?: string;
  ExposedPorts?: Record<string, Record<string, never>>;
  Healthcheck?: { Test: string[]; Interval?: number; Timeout?: number; StartPeriod?: number; Retries?: number };
  Labels?: Record<string, string>;
  StopSignal?: string;
  Volumes?: Record<string, Record<string, never>>;
}

const EPOCH = '1970-01-01T00:00:00Z';

export function healthcheck(h: {
  test: string[];
  intervalMs?: number;
  timeoutMs?: number;
  startPeriodMs?: number;
  retries?: number;
}): ImageConfigInput['Healthcheck'] {
  const ns = (ms?: number) => (ms === undefined ? undefined : ms * 1_000_000);
  return {
    Test: h.test,
    Interval: ns(h.intervalMs),
    Timeout: ns(h.timeoutMs),
    StartPeriod: ns(h.startPeriodMs),
    Retries: h.retries,
  };
}

/** ExposedPorts from numbers: [8080] → {"8080/tcp": {}}. */
export const exposed = (...ports: number[]) =>
  Object.fromEntries(ports.map((p) => [`${p}/tcp`, {}])) as Record<string, Record<string, never>>;

const sortKeys = <T>(o: Record<string, T> | undefined) =>
  o ? Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : undefined;

export function imageConfigJson(platform: Platform, layers: LayerRef[], c: ImageConfigInput): Buffer {
  const hc = c.Healthcheck;
  const config = {
    User: c.User,
    ExposedPorts: sortKeys(c.ExposedPorts),
    Env: c.Env,
    Entrypoint: c.Entrypoint,
    Cmd: c.Cmd,
    Healthcheck: hc && {
      Test: hc.Test,
      Interval: hc.Interval,
      Timeout: hc.Timeout,
      StartPeriod: hc.StartPeriod,
      Retries: hc.Retries,
    },
    Volumes: sortKeys(c.Volumes),
    WorkingDir: c.WorkingDir,
    Labels: sortKeys(c.Labels),
    StopSignal: c.StopSignal,
  };
  const doc = {
    architecture: archOf(platform),
    ...(variantOf(platform) ? { variant: variantOf(platform) } : {}),
    os: 'linux',
    created: EPOCH,
    config,
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
    history: layers.map((l) => ({ created: EPOCH, created_by: l.createdBy })),
  };
  return Buffer.from(JSON.stringify(doc)); // undefined fields drop out
}
