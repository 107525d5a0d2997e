import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { readPlan, type RunPlan } from '../plan/plan.ts';
import type { PlanView } from './collect.ts';

/**
 * The plan as results.json needs it. Registry fields (registry, tag, per-target tag / indexDigest /
 * compressedSize) are not in RunPlanSchema yet, which drops unknown keys on read; so they are taken from the
 * raw plan file when there is one, else from the plan object — either way they appear once the plan has them.
 */
const Extras = z.object({
  registry: z.string().optional().catch(undefined),
  tag: z.string().optional().catch(undefined),
  targets: z
    .array(
      z.object({
        tag: z.string().optional().catch(undefined),
        indexDigest: z.string().optional().catch(undefined),
        compressedSize: z.number().int().nonnegative().optional().catch(undefined),
      }),
    )
    .catch([]),
});

export function planView(plan: RunPlan, raw?: unknown): PlanView {
  const extras = Extras.safeParse(raw ?? plan);
  const x = extras.success ? extras.data : { targets: [] };
  return {
    source: plan.source,
    ...(x.registry && { registry: x.registry }),
    ...(x.tag && { tag: x.tag }),
    contract: { ...(plan.contract.file && { file: plan.contract.file }), overrides: plan.contract.overrides },
    ...(plan.peers?.length && { peers: plan.peers }),
    targets: plan.targets.map((t, i) => {
      const e = x.targets?.[i];
      return {
        ...t,
        ...(e?.tag && { tag: e.tag }),
        ...(e?.indexDigest && { indexDigest: e.indexDigest }),
        ...(e?.compressedSize !== undefined && { compressedSize: e.compressedSize }),
      };
    }),
  };
}

/** The plan of a run: the one vitest's globalSetup provided (covers the derived default plan), else the LUCID_PLAN file. */
export function resolvePlan(
  provided: RunPlan | undefined,
  planFile: string | undefined,
): { view?: PlanView; reportDir?: string } {
  const raw = planFile && existsSync(planFile) ? safeJson(planFile) : undefined;
  const plan = provided ?? (planFile && existsSync(planFile) ? readPlan(planFile) : undefined);
  return plan ? { view: planView(plan, raw), reportDir: plan.reportDir } : {};
}

function safeJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}
