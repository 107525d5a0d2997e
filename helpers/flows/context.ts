// What a flow works with: the stack's services by name (their current URLs), tokens, budgets, and a
// `call` that records every request in the running step's trail.
import type { Platform } from '../model/platform.ts';
import type { Contract } from '../contract/schema.ts';
import type { FlowBudgets } from './budgets.ts';
import type { StackControl } from './containers.ts';
import type { Exchange } from './exchange.ts';
import { call, type CallOptions } from './http.ts';
import { FlowRun } from './steps.ts';
import type { FlowTokens } from './tokens.ts';

/** Stack-wide, shared by every flow of one platform. */
export interface FlowEnv {
  platform: Platform;
  emulated: boolean;
  contract: Contract;
  budgets: FlowBudgets;
  tokens: FlowTokens;
  /** http://127.0.0.1:<port> of a service now (a restarted container may get a new host port). */
  url(service: string): string;
  containerId(service: string): string;
  setUrl(service: string, url: string): void;
  /** Stand-in name → its container on the stack's network, or why the harness started none. */
  standIns: ReadonlyMap<string, { containerId?: string; skipped?: string }>;
  /** Stops and starts the stack's containers (the fault flow). */
  control: StackControl;
}

/** One flow test: its step runner, its requests, and the figures it records. */
export class Flow {
  readonly run: FlowRun;
  readonly figures: Record<string, number> = {};

  constructor(
    readonly env: FlowEnv,
    name: string,
  ) {
    this.run = new FlowRun(name, env.platform);
  }

  step<T>(name: string, fn: () => Promise<T>): Promise<T> {
    return this.run.step(name, fn);
  }

  async call(service: string, method: string, path: string, opts: CallOptions = {}): Promise<Exchange> {
    this.run.record({ service, method, path });
    return call(this.env.url(service), service, method, path, { timeoutMs: this.env.budgets.requestMs, ...opts });
  }
}
