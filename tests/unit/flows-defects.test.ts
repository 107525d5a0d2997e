// The flow defect catalog: every patch still fits the reference source exactly once and yields valid
// Python, and every defect names flow tests and steps that exist.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { loadContract, PROJECT_ROOT } from '../../helpers/contract/load.ts';
import { FLOW_TESTS } from '../../helpers/flows/index.ts';
import { FLOW_DEFECTS, patchedModule } from '../../fixtures/flow-defects/index.ts';
import { applyPatch, PatchError } from '../../fixtures/flow-defects/patch.ts';
import { SERVICES_SOURCE_DIR } from '../../fixtures/reference.ts';

const contract = loadContract({});

/** Step names as written in the flow sources: f.step('<name>', …). */
const FLOW_STEPS = new Set(
  readdirSync(join(PROJECT_ROOT, 'helpers/flows'))
    .filter((f) => f.endsWith('.ts'))
    .flatMap((f) =>
      [...readFileSync(join(PROJECT_ROOT, 'helpers/flows', f), 'utf8').matchAll(/\.step\('([a-z0-9-]+)'/g)].map(
        (m) => m[1]!,
      ),
    ),
);

const python = ['python3', 'python3.11'].find((exe) => spawnSync(exe, ['-c', 'pass']).status === 0);

describe('applyPatch', () => {
  test('replaces text that occurs exactly once', () =>
    expect(applyPatch('a = 1\nb = 2\n', [{ search: 'b = 2', replace: 'b = 3' }], 'f.py')).toBe('a = 1\nb = 3\n'));
  test('applies replacements in order, the second seeing the first', () =>
    expect(
      applyPatch(
        'x',
        [
          { search: 'x', replace: 'yy' },
          { search: 'yy', replace: 'z' },
        ],
        'f',
      ),
    ).toBe('z'));
  test('fails loudly when the search text is missing or ambiguous', () => {
    expect(() => applyPatch('a\na\n', [{ search: 'a', replace: 'b' }], 'f.py')).toThrow(
      new PatchError('f.py: replacement 1 must match exactly once, matched 2 times: "a"'),
    );
    expect(() => applyPatch('a', [{ search: 'zz', replace: 'b' }], 'f.py')).toThrow(/matched 0 times/);
    expect(() => applyPatch('a', [{ search: '', replace: 'b' }], 'f.py')).toThrow(/empty search/);
    expect(() => applyPatch('a', [], 'f.py')).toThrow(/at least one replacement/);
    expect(() => applyPatch('a', [{ search: 'a', replace: 'a' }], 'f.py')).toThrow(/changes nothing/);
  });
  test('replacement text is literal ($& is not special)', () =>
    expect(applyPatch('ab', [{ search: 'a', replace: '$&$&' }], 'f')).toBe('$&$&b'));
});

describe('flow defect catalog', () => {
  test("names are unique kebab-case; services are the contract's", () => {
    const names = FLOW_DEFECTS.map((d) => d.name);
    expect(new Set(names).size).toBe(names.length);
    for (const d of FLOW_DEFECTS) {
      expect(d.name).toMatch(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/);
      expect(contract.services.map((s) => s.name)).toContain(d.service);
    }
  });
  test('the step names found in the flow sources include the ones used here', () =>
    expect(FLOW_STEPS.size).toBeGreaterThan(20));

  describe.each(FLOW_DEFECTS.map((d) => [d.name, d] as const))('%s', (_n, d) => {
    test('expects a non-empty, proper subset of the flow tests, each at a step that exists', () => {
      const tests = Object.keys(d.expect);
      expect(tests.length).toBeGreaterThan(0);
      expect(tests.length).toBeLessThan(FLOW_TESTS.length);
      for (const [t, step] of Object.entries(d.expect)) {
        expect(FLOW_TESTS).toContain(t);
        expect([...FLOW_STEPS]).toContain(step);
      }
    });
    test('its patch applies to the reference module and changes it', () => {
      const original = readFileSync(join(SERVICES_SOURCE_DIR, d.module), 'utf8');
      const patched = patchedModule(d);
      expect(patched).not.toBe(original);
      for (const r of d.replacements) expect(patched).toContain(r.replace);
    });
    test.skipIf(!python)('the patched module is valid Python', () => {
      const r = spawnSync(python!, ['-c', 'import ast, sys; ast.parse(sys.stdin.read())'], {
        input: patchedModule(d),
        encoding: 'utf8',
      });
      expect(r.status, r.stderr).toBe(0);
    });
  });
});
