/**
 * --thresholds FILE: a JSON regression config ({ "metrics": { "<metric>": { relative?, absolute?, combine? } | false } })
 * merged over DEFAULT_THRESHOLDS by RegressionConfigSchema, until the contract carries one.
 */
import { readFileSync } from 'node:fs';
import { RegressionConfigSchema, type RegressionConfig } from '../report/compare.ts';

export class ThresholdsError extends Error {}

export function parseThresholds(data: unknown, source = 'thresholds'): RegressionConfig {
  const r = RegressionConfigSchema.safeParse(data);
  if (!r.success)
    throw new ThresholdsError(
      `${source} is not a regression config: ${r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`,
    );
  return r.data;
}

export function readThresholds(file: string): RegressionConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ThresholdsError(
      `cannot read thresholds ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
  try {
    return parseThresholds(JSON.parse(text), file);
  } catch (e) {
    if (e instanceof ThresholdsError) throw e;
    throw new ThresholdsError(`thresholds ${file} is not JSON: ${(e as Error).message}`);
  }
}
