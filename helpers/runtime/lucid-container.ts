import { GenericContainer, type WaitStrategy } from 'testcontainers';

/**
 * Readiness is judged by the harness's own probes (helpers/runtime/wait.ts), which gather diagnostics
 * before anything is removed; testcontainers' own wait would delete the container on failure and its
 * default strategy execs /bin/sh, which these shell-less images do not have.
 */
class ContainerCreatedOnly implements WaitStrategy {
  private timeoutMs = 0;
  async waitUntilReady(): Promise<void> {}
  withStartupTimeout(ms: number): this {
    this.timeoutMs = ms;
    return this;
  }
  isStartupTimeoutSet(): boolean {
    return this.timeoutMs > 0;
  }
  getStartupTimeout(): number {
    return this.timeoutMs;
  }
}

export interface HealthcheckTiming {
  intervalMs: number;
  timeoutMs: number;
  retries: number;
}

/**
 * The harness's timing with the image's own HEALTHCHECK timeout when that is longer (`imageTimeoutNs`, from the
 * image config, in ns): the harness shortens the interval to notice health sooner, but cutting a probe the image
 * allows more time would fail a correct image whose probe is slow (dependency checks, a Python start under QEMU).
 */
export function withImageTimeout(t: HealthcheckTiming, imageTimeoutNs: number | undefined): HealthcheckTiming {
  const imageMs = Math.ceil((imageTimeoutNs ?? 0) / 1_000_000);
  return imageMs > t.timeoutMs ? { ...t, timeoutMs: imageMs } : t;
}

/**
 * The engine's periodic probe pushed out of the run, where the harness runs the image's HEALTHCHECK itself
 * (runHealthcheckOnce): every emulated run of it is a Python start under QEMU, and one idle emulated
 * container probed every 2 s kept a tenth of this 2-core box busy (measured): eight of them, all of it.
 */
export const QUIET_HEALTHCHECK: HealthcheckTiming = { intervalMs: 300_000, timeoutMs: 20_000, retries: 3 };

/** GenericContainer plus the run conditions the contract needs and testcontainers has no builder for. */
export class LucidContainer extends GenericContainer {
  constructor(image: string) {
    super(image);
    this.withWaitStrategy(new ContainerCreatedOnly());
  }

  /** Publish on one host address only (127.0.0.1 by default: tests never reach other addresses). */
  withPublishedPorts(hostIp: string, ...ports: number[]): this {
    this.withExposedPorts(...ports);
    for (const p of ports) this.hostConfig.PortBindings![`${p}/tcp`] = [{ HostIp: hostIp, HostPort: '0' }];
    return this;
  }

  /**
   * Attaches to `network` alone, aliases included, at create time. testcontainers' own aliases path creates
   * on the default bridge and connects the network afterwards: two endpoints per container, one of them on a
   * network the contract never names, and a second veth and its rules for the engine to set up every start.
   */
  withNetworkAndAliases(network: string, aliases: string[]): this {
    this.withNetworkMode(network);
    this.createOpts.NetworkingConfig = { EndpointsConfig: { [network]: { Aliases: aliases } } };
    return this;
  }

  withReadOnlyRootfs(): this {
    this.hostConfig.ReadonlyRootfs = true;
    return this;
  }

  /**
   * Overrides only the timing of the image's HEALTHCHECK: an empty Test makes the engine keep the
   * image's own command (field-wise merge), so what runs is still what the image declares.
   */
  withHealthcheckTiming(t: HealthcheckTiming): this {
    const ns = (ms: number) => ms * 1_000_000;
    this.createOpts.Healthcheck = {
      Test: [],
      Interval: ns(t.intervalMs),
      Timeout: ns(t.timeoutMs),
      Retries: t.retries,
      StartPeriod: 0,
    };
    return this;
  }
}
