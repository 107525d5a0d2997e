// Figures of a flow run (stack start, per-flow and per-step times, anchoring latency), kept per
// platform and written as reports/flow-figures.json for CI users and trend tracking.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { TrailEntry } from './steps.ts';

export interface FlowRecord {
  ok: boolean;
  ms: number;
  failedStep?: string;
  steps: { step: string; ok: boolean; ms: number }[];
  /** Flow-specific figures, e.g. anchorConfirmMs. */
  figures: Record<string, number>;
}

interface PlatformFigures {
  platform: string;
  emulated: boolean;
  stackStartMs?: number;
  sha256DataChainStartMs?: number;
  stackStartError?: string;
  flows: Record<string, FlowRecord>;
  /** Sum of the flows' own times (stack start excluded). */
  totalFlowMs: number;
}

export function flowRecord(trail: readonly TrailEntry[], ms: number, figures: Record<string, number>): FlowRecord {
  const failed = trail.find((t) => !t.ok);
  return {
    ok: !failed,
    ms,
    ...(failed ? { failedStep: failed.step } : {}),
    steps: trail.map(({ step, ok, ms }) => ({ step, ok, ms })),
    figures: { ...figures },
  };
}

/** One line for a test annotation, e.g. "2.31 s in 17 steps; anchorConfirmMs 412". */
export function summarizeRecord(r: FlowRecord): string {
  const figs = Object.entries(r.figures).map(([k, v]) => `${k} ${v}`);
  const head = `${(r.ms / 1000).toFixed(2)} s, ${r.steps.filter((s) => s.ok).length}/${r.steps.length} steps passed${r.failedStep ? `, failed at ${r.failedStep}` : ''}`;
  return [head, ...figs].join('; ');
}

export class FiguresBook {
  readonly platforms: Record<string, PlatformFigures> = {};

  platform(platform: string, emulated: boolean): PlatformFigures {
    return (this.platforms[platform] ??= { platform, emulated, flows: {}, totalFlowMs: 0 });
  }

  addFlow(platform: string, emulated: boolean, name: string, rec: FlowRecord): void {
    const p = this.platform(platform, emulated);
    p.flows[name] = rec;
    p.totalFlowMs = Object.values(p.flows).reduce((n, f) => n + f.ms, 0);
  }

  write(file: string): void {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(
      file,
      `${JSON.stringify({ version: 1, generatedAt: new Date().toISOString(), platforms: this.platforms }, null, 2)}\n`,
    );
  }
}
