import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { PROJECT_ROOT } from '../../helpers/contract/load.ts';
import { NEEDS_ISOLATION, UNIT_NEEDS_ISOLATION } from '../support/unit-isolation.ts';

test('every unit file that mocks, stubs or writes process state runs isolated, and only those', () => {
  const dir = join(PROJECT_ROOT, 'tests/unit');
  const needing = readdirSync(dir)
    .filter((f) => f.endsWith('.test.ts') && f !== 'unit-isolation.test.ts')
    .filter((f) => NEEDS_ISOLATION.test(readFileSync(join(dir, f), 'utf8')))
    .map((f) => `tests/unit/${f}`);
  expect(needing.sort()).toEqual([...UNIT_NEEDS_ISOLATION].sort());
});
