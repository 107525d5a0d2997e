import { docker } from '../engine/docker.ts';
import { UsageError } from '../model/errors.ts';

/** Fails with one line naming the engine address when no engine answers. */
export async function requireEngine(): Promise<void> {
  try {
    await docker().ping();
  } catch (e) {
    const where = process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock';
    throw new UsageError(
      `no Docker engine answers at ${where} (${(e as Error).message}); run bash bin/bootstrap-host.sh or npx lucid-harness doctor`,
    );
  }
}
