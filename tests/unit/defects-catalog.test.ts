import { describe, expect, test } from 'vitest';
import { loadContract } from '../../helpers/contract/load.ts';
import { PLATFORMS } from '../../helpers/model/platform.ts';
import { SMOKE_CHECK_NAMES, STATIC_CHECK_NAMES } from '../support/check-names.ts';
import { RUNTIME_CHECKS } from '../../helpers/checks/runtime-catalog.ts';
import { readLock } from '../../helpers/debian/lock.ts';
import { DEFECT_LOCK_FILE, DEFECT_PACKAGES, DEFECTS, defectNamed } from '../../fixtures/defects/index.ts';
import { serveWithMissingImport } from '../../fixtures/defects/catalog-runtime.ts';
import { FLOW_DEFECTS } from '../../fixtures/flow-defects/catalog.ts';

const contract = loadContract({});
const services = contract.services.map((s) => s.name);

describe('defect catalog', () => {
  test('names are unique and kebab-case', () => {
    const names = DEFECTS.map((d) => d.name);
    expect(new Set(names).size).toBe(names.length);
    for (const n of names) expect(n).toMatch(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/);
  });

  test('no name is also a flow defect: both catalogs tag lucid-defect/<name>:<arch>', () => {
    const flow = new Set(FLOW_DEFECTS.map((d) => d.name));
    expect(DEFECTS.map((d) => d.name).filter((n) => flow.has(n))).toEqual([]);
  });

  describe.each(DEFECTS.map((d) => [d.name, d] as const))('%s', (_name, d) => {
    test('names a contract service, valid platforms and a one-line summary', () => {
      expect(services).toContain(d.service);
      expect(d.platforms.length).toBeGreaterThan(0);
      for (const p of d.platforms) expect(PLATFORMS).toContain(p);
      expect(new Set(d.platforms).size).toBe(d.platforms.length);
      expect(d.summary.trim()).not.toBe('');
      expect(d.summary).not.toContain('\n');
    });

    test('expects a non-empty set of known smoke checks to fail, and not all of them', () => {
      expect(d.expectFailing.length).toBeGreaterThan(0);
      expect(new Set(d.expectFailing).size).toBe(d.expectFailing.length);
      for (const c of d.expectFailing) expect(SMOKE_CHECK_NAMES).toContain(c);
      expect(d.expectFailing.length).toBeLessThan(SMOKE_CHECK_NAMES.length);
    });
  });

  test.each([...STATIC_CHECK_NAMES, ...RUNTIME_CHECKS.map((c) => c.name)])(
    'check %s fails on at least one defect image',
    (check) => {
      expect(DEFECTS.filter((d) => d.expectFailing.includes(check)).map((d) => d.name)).not.toEqual([]);
    },
  );

  test('runtime checks are proven under emulation too: some runtime-failing defect runs on arm64', () => {
    const runtime = new Set<string>(RUNTIME_CHECKS.map((c) => c.name));
    expect(
      DEFECTS.some((d) => d.platforms.includes('linux/arm64') && d.expectFailing.some((c) => runtime.has(c))),
    ).toBe(true);
  });

  test('defectNamed finds a defect and names the known ones for a typo', () => {
    expect(defectNamed('bin-sh').service).toBe('blockchain-engine');
    expect(() => defectNamed('bin-shh')).toThrow(/known: root-user, .*bin-sh/);
  });
});

describe('defect package lock', () => {
  const lock = readLock(DEFECT_LOCK_FILE);

  test('pins every defect package on both architectures, for that architecture', () => {
    for (const arch of ['amd64', 'arm64']) {
      const entries = lock.architectures[arch] ?? [];
      expect(entries.map((e) => e.name).sort()).toEqual(Object.keys(DEFECT_PACKAGES).sort());
      for (const e of entries) expect(e.architecture).toBe(arch);
    }
  });

  test('denies no package it locks', () => {
    for (const name of lock.roots) expect(lock.deny).not.toContain(name);
  });
});

describe('crash-at-import entry', () => {
  test('imports the missing module right after the docstring, before anything else runs', () => {
    const src = serveWithMissingImport('"""doc\nstring"""\nimport os\n');
    expect(src).toMatch(/^"""doc\nstring"""\nimport motor {2}# .*\nimport os\n$/);
    expect(serveWithMissingImport('import os\n')).toMatch(/^import motor .*\nimport os\n$/);
  });
});
