// The shell check when the service container is not running (it exited at start): each shell candidate is
// run as the entrypoint of a fresh hardened container of the same image, as the contract user, with no
// network. A shell that runs there would run for an intruder too; the service's own crash is beside the point.
import type { Platform } from '../model/platform.ts';
import type { Contract, Service } from '../contract/schema.ts';
import { docker } from '../engine/docker.ts';
import { harnessLabels } from '../engine/labels.ts';
import { demux } from './diagnostics.ts';
import type { ExecOutcome } from '../model/runtime-facts.ts';
import { writableDirs } from './start-service.ts';

const RUN_TIMEOUT_MS = 30_000;

export async function runShellsInFreshContainers(
  contract: Contract,
  service: Service,
  image: string,
  platform: Platform,
  cmds: string[][],
): Promise<ExecOutcome[]> {
  const out: ExecOutcome[] = [];
  for (const cmd of cmds) out.push(await runOnce(contract, service, image, platform, cmd));
  return out;
}

async function runOnce(
  contract: Contract,
  service: Service,
  image: string,
  platform: Platform,
  cmd: string[],
): Promise<ExecOutcome> {
  const { uid, gid } = contract.user;
  let container;
  try {
    container = await docker().createContainer({
      Image: image,
      platform,
      Entrypoint: [cmd[0]!],
      Cmd: cmd.slice(1),
      User: `${uid}:${gid}`,
      Labels: { ...harnessLabels('shell-probe'), 'io.lucid.harness.service': service.name },
      HostConfig: {
        NetworkMode: 'none',
        ReadonlyRootfs: true,
        CapDrop: ['ALL'],
        SecurityOpt: ['no-new-privileges'],
        Tmpfs: Object.fromEntries(
          writableDirs(service).map((d) => [d, `rw,nosuid,nodev,size=16m,uid=${uid},gid=${gid}`]),
        ),
      },
    } as Parameters<ReturnType<typeof docker>['createContainer']>[0]);
    try {
      await container.start();
    } catch (e) {
      // "exec: <path>: no such file or directory" or "permission denied": the engine could not run it at all.
      return { cmd, exitCode: 127, output: `not started in a fresh container: ${(e as Error).message}` };
    }
    const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), RUN_TIMEOUT_MS).unref());
    const waited = await Promise.race([container.wait() as Promise<{ StatusCode: number }>, timeout]);
    const logs = demux(
      (await container.logs({ stdout: true, stderr: true }).catch(() => Buffer.alloc(0))) as unknown as Buffer,
    ).trim();
    if (waited === 'timeout')
      return { cmd, exitCode: null, output: `still running after ${RUN_TIMEOUT_MS / 1000} s in a fresh container` };
    return {
      cmd,
      exitCode: waited.StatusCode,
      output: logs ? `in a fresh hardened container: ${logs}` : 'in a fresh hardened container',
    };
  } catch (e) {
    return { cmd, exitCode: null, output: `could not create a fresh container: ${(e as Error).message}` };
  } finally {
    await container?.remove({ force: true }).catch(() => undefined);
  }
}
