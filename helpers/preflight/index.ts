/**
 * Checks verify runs before it starts anything, each failing with one line (a UsageError: exit 2):
 * emulation for every emulated platform of the run, and free space before reference images are built.
 */
import type { Platform } from '../model/platform.ts';
import { UsageError } from '../model/errors.ts';
import { docker, engineFacts } from '../engine/docker.ts';
import { engineEndpoint } from '../engine/endpoint.ts';
import { cacheDir } from '../image/cache.ts';
import { binfmtDir, emulationProblem, readBinfmt } from './emulation.ts';
import { checkSpaceForBuild } from './disk.ts';

export async function requireEmulation(platforms: readonly Platform[]): Promise<void> {
  const dir = binfmtDir();
  const problem = emulationProblem({
    platforms,
    engineArch: (await engineFacts()).arch,
    engineLocal: engineEndpoint().local,
    hostOs: process.platform,
    readEntry: readBinfmt(dir),
    binfmtDir: dir,
  });
  if (problem) throw new UsageError(problem);
}

export async function requireSpaceForBuild(): Promise<void> {
  // The engine's data root is only ours to measure when the engine runs on this host.
  const engineRoot = engineEndpoint().local
    ? ((await docker().info()) as { DockerRootDir?: string }).DockerRootDir
    : undefined;
  const problem = await checkSpaceForBuild({ engineRoot, cacheDir: cacheDir() });
  if (problem) throw new UsageError(problem);
}
