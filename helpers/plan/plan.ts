import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { PROJECT_ROOT } from '../contract/load.ts';
import { PlanTargetSchema } from '../model/target.ts';
import { FAMILIES } from '../images/names.ts';
import type { SharedRun } from '../model/shared-run.ts';

/**
 * A run plan says which images (by id or digest, per platform) the suites check and under which contract.
 * The CLI writes it; vitest's globalSetup reads it (or derives the default: the local reference images)
 * and hands it to the suites with provide/inject.
 */
const RunPlanSchema = z.object({
  version: z.literal(1),
  source: z.enum(['reference', 'local', 'oci-layout', 'registry']),
  contract: z.object({ file: z.string().optional(), overrides: z.array(z.string()).default([]) }),
  targets: z.array(PlanTargetSchema),
  /** Reference images filling in for the services the targets lack (verify --peers): run in the stack, never judged. */
  peers: z.array(PlanTargetSchema).optional(),
  reportDir: z.string(),
  /** Reference runs: which family of reference images (lucid_ref when absent). */
  family: z.enum(FAMILIES).optional(),
  /** Registry runs: what is wrong with a tag itself (not an index, a platform missing): failing checks of that tag. */
  tagProblems: z.array(z.object({ service: z.string(), tag: z.string(), problem: z.string() })).optional(),
  /** Registry runs: host[:port], the tags checked, and whether http is forced for a non-loopback host. */
  registry: z.string().optional(),
  tag: z.string().optional(),
  plainHttp: z.boolean().optional(),
  /** The suite files this run selects (absent: all): the smoke facts are read from the stacks only for the smoke suite. */
  suiteFiles: z.array(z.string()).optional(),
});
export type RunPlan = z.infer<typeof RunPlanSchema>;

export const DEFAULT_REPORT_DIR = join(PROJECT_ROOT, 'reports');
export const PLAN_ENV = 'LUCID_PLAN';

export function writePlan(plan: RunPlan, file = join(plan.reportDir, 'run-plan.json')): string {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(RunPlanSchema.parse(plan), null, 2)}\n`);
  return file;
}

export function readPlan(file: string): RunPlan {
  const parsed = RunPlanSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success)
    throw new Error(
      `run plan ${file} is invalid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  return parsed.data;
}

declare module 'vitest' {
  export interface ProvidedContext {
    plan: RunPlan;
    /** The contract network the suites join. */
    network: string;
    /** The shared stacks (one per platform with every contract service) and the smoke facts read from them. */
    shared: SharedRun;
  }
}
