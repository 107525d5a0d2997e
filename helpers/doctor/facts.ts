/** What the doctor learns about this host. Plain data, so `judge` can be tested with made-up facts. */
import type { PlatformRun } from './run-probe.ts';
import type { HostFacts } from '../host/schema.ts';

export type EngineProbe =
  | {
      reachable: true;
      endpoint: string;
      /** The engine's socket is on this machine, so its data root can be measured here. */
      local: boolean;
      version: string;
      apiVersion: string;
      os: string;
      arch: string;
      rootDir: string;
    }
  | { reachable: false; endpoint: string; local: boolean; error: string };

export type DiskProbe =
  | { path: string; measured: true; freeBytes: number; note?: string }
  | { path: string; measured: false; reason: string };

export type BinfmtProbe =
  | { applicable: false; reason: string }
  | { applicable: true; present: boolean; enabled: boolean; flags: string; interpreter: string };

export interface Facts {
  engine: EngineProbe;
  hostArch: string;
  /** One per platform, empty when the engine is unreachable. */
  runs: PlatformRun[];
  engineDisk: DiskProbe;
  cacheDisk: DiskProbe;
  binfmt: BinfmtProbe;
  /** TESTCONTAINERS_RYUK_DISABLED as set in the environment, and whether the reaper image is on the engine. */
  ryuk: { env: string | undefined; image: string; reaperImagePresent: boolean | undefined };
  node: string;
  /** Facts that change verdicts: engine/userland architecture, page size, memory limits, throttling. */
  host: HostFacts;
}
