// Stopping and starting one container of a running stack through the engine. The same container is
// started again, so its network aliases persist; its host port may change (published on port 0).
import { docker } from '../engine/docker.ts';
import type { StandIn } from '../contract/schema.ts';
import { publishHost } from '../runtime/start-service.ts';
import { restartStandIn } from '../runtime/standins.ts';

/**
 * What the fault flow does to a stack: stop and start its containers. A FlowEnv carries one, so the flow
 * code can also run against services that are not containers (an in-process implementation in a unit test).
 */
export interface StackControl {
  stop(containerId: string): Promise<void>;
  /** Starts a stopped service container; the base URL of `port` as published now. */
  start(containerId: string, port: number): Promise<string>;
  isRunning(containerId: string): Promise<boolean>;
  /** Starts a stopped stand-in and waits until it is ready again; how long that took. */
  startStandIn(s: StandIn, containerId: string): Promise<{ readyMs: number }>;
}

export async function stopContainer(id: string, timeoutSeconds = 5): Promise<void> {
  await docker().getContainer(id).stop({ t: timeoutSeconds });
}

/** Starts a stopped container and returns the base URL of `port` as published now. */
export async function startContainer(id: string, port: number): Promise<string> {
  const c = docker().getContainer(id);
  await c.start();
  // The engine fills in the host port shortly after start; read it until it is there.
  for (let i = 0; i < 50; i++) {
    const info = await c.inspect();
    const host = info.NetworkSettings.Ports?.[`${port}/tcp`]?.[0]?.HostPort;
    if (host) return `http://${publishHost()}:${host}`;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`container ${id.slice(0, 12)} started but publishes no host port for ${port}/tcp`);
}

export async function isRunning(id: string): Promise<boolean> {
  const info = await docker()
    .getContainer(id)
    .inspect()
    .catch(() => undefined);
  return !!info?.State.Running;
}

/** The engine's containers: what the flows control on a real stack. */
export const engineStackControl: StackControl = {
  stop: (id) => stopContainer(id),
  start: startContainer,
  isRunning,
  startStandIn: restartStandIn,
};
