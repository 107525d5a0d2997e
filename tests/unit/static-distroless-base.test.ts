import { describe, expect, test } from 'vitest';
import { loadContract, serviceNamed } from '../../helpers/contract/load.ts';
import type { Platform } from '../../helpers/model/platform.ts';
import type { Contract } from '../../helpers/contract/schema.ts';
import { checkDistrolessBase } from '../../helpers/checks/static/distroless-base.ts';
import { exe, file, sampleFacts, symlink, withConfig, withFs } from '../support/sample-facts.ts';
import type { ImageFacts } from '../../helpers/model/image-facts.ts';
import { DEBIAN_OS_RELEASE } from '../../fixtures/defects/catalog-content.ts';

const contract = loadContract({});
const svc = serviceNamed(contract, 'api-gateway');
const base = sampleFacts(contract, svc, 'linux/amd64');
const check = (f: ImageFacts, c: Contract = contract, p: Platform = 'linux/amd64') => checkDistrolessBase(f, c, svc, p);
const seen = (f: ImageFacts, c?: Contract, p?: Platform) => check(f, c, p).map((x) => x.seen);
const withOsRelease = (text: string) =>
  withFs(base, [file('/etc/os-release')], ['/usr/lib/os-release'], { '/etc/os-release': text });

/** gcr.io/distroless/python3-debian12's own /etc/os-release. */
const GCR_OS_RELEASE =
  'PRETTY_NAME="Distroless"\nNAME="Debian GNU/Linux"\nID="debian"\nVERSION_ID="12"\nVERSION="Debian GNU/Linux 12 (bookworm)"\nHOME_URL="https://github.com/GoogleContainerTools/distroless"\nSUPPORT_URL="https://github.com/GoogleContainerTools/distroless/blob/master/README.md"\nBUG_REPORT_URL="https://github.com/GoogleContainerTools/distroless/issues/new"\n';
const BASE = [`sha256:${'1'.repeat(64)}`];
const pinned = (p: Partial<Record<Platform, string[]>>): Contract => ({
  ...contract,
  base: { ...contract.base, diffIds: p },
});
const COPIED = (f: ImageFacts) =>
  withFs(f, [
    exe('/usr/local/bin/python3.11', { elf: 'x86-64', layer: 2 }),
    symlink('/usr/local/bin/python3', 'python3.11'),
  ]);

describe('distroless-base: os-release', () => {
  test('passes the sample image (/etc/os-release -> ../usr/lib/os-release) and the real gcr.io form', () => {
    expect(check(base)).toEqual([]);
    expect(check(withOsRelease(GCR_OS_RELEASE))).toEqual([]);
  });

  test('accepts unquoted values, a point release, the codename alone, ID_LIKE', () => {
    expect(check(withOsRelease('PRETTY_NAME=Distroless\nID=debian\nVERSION_ID=12\n'))).toEqual([]);
    expect(check(withOsRelease('PRETTY_NAME="Distroless"\nID=debian\nVERSION_ID="12.8"\n'))).toEqual([]);
    expect(check(withOsRelease('NAME="Distroless"\nID=debian\nVERSION_CODENAME=bookworm\n'))).toEqual([]);
    expect(
      check(
        withOsRelease(
          'PRETTY_NAME="Distroless"\nID=distroless\nID_LIKE="debian"\nVERSION="Debian GNU/Linux 12 (bookworm)"\n',
        ),
      ),
    ).toEqual([]);
  });

  test("fails plain Debian 12 (python:3.11-slim's), another release, another distribution, no os-release", () => {
    expect(seen(withOsRelease(DEBIAN_OS_RELEASE))).toEqual([
      'PRETTY_NAME "Debian GNU/Linux 12 (bookworm)" and NAME "Debian GNU/Linux" do not say Distroless',
    ]);
    expect(check(withOsRelease(DEBIAN_OS_RELEASE))[0]).toMatchObject({
      check: 'distroless-base',
      where: 'image file /etc/os-release',
    });
    expect(
      seen(
        withOsRelease(
          GCR_OS_RELEASE.replace('VERSION_ID="12"', 'VERSION_ID="13"').replace('12 (bookworm)', '13 (trixie)'),
        ),
      ),
    ).toEqual(['VERSION_ID "13" (VERSION "Debian GNU/Linux 13 (trixie)") is not 12 (bookworm)']);
    expect(
      seen(withOsRelease('PRETTY_NAME="Alpine Linux v3.20"\nNAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.20.3\n')),
    ).toHaveLength(1);
    expect(
      seen(withOsRelease('PRETTY_NAME="Alpine Linux v3.20"\nNAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.20.3\n'))[0],
    ).toMatch(/do not say Distroless; ID "alpine" is not debian; VERSION_ID "3.20.3"/);
    expect(seen(withFs(base, [], ['/etc/os-release', '/usr/lib/os-release']))).toEqual([
      'the image has no /etc/os-release (nor /usr/lib/os-release): its base cannot be told',
    ]);
  });

  test('says where the text came from when /etc/os-release is a symlink', () => {
    const f = withFs(base, [], [], { '/usr/lib/os-release': DEBIAN_OS_RELEASE });
    expect(check(f)[0]!.where).toBe('image file /usr/lib/os-release (via /etc/os-release)');
  });

  test('the expected values are contract data (a profile can move to Debian 13)', () => {
    const c = {
      ...contract,
      base: { ...contract.base, osRelease: { name: 'Distroless', id: 'debian', versionId: '13', codename: 'trixie' } },
    };
    expect(seen(base, c)).toEqual(['VERSION_ID "12" (VERSION "Debian GNU/Linux 12 (bookworm)") is not 13 (trixie)']);
  });
});

describe('distroless-base: the interpreter', () => {
  test('fails an Entrypoint and HEALTHCHECK running a copied-in /usr/local/bin/python3', () => {
    const f = withConfig(COPIED(base), {
      Entrypoint: ['/usr/local/bin/python3'],
      Healthcheck: {
        Test: [
          'CMD',
          '/usr/local/bin/python3',
          '-I',
          '-S',
          '/app/lucid_ref/healthcheck.py',
          'http://127.0.0.1:8080/api/v1/meta/health',
        ],
      },
    });
    const out = check(f);
    expect(out.map((x) => x.expected)).toEqual([
      "config.Entrypoint/Cmd runs the base's interpreter /usr/bin/python3 (/usr/bin/python3.11)",
      "config.Healthcheck.Test[1..] runs the base's interpreter /usr/bin/python3 (/usr/bin/python3.11)",
    ]);
    expect(out[0]!.seen).toBe(
      '/usr/local/bin/python3 is /usr/local/bin/python3.11 (/usr/local/bin/python3 -> python3.11): another interpreter, from layer 2',
    );
  });

  test('a bare "python3" found first in /usr/local/bin through PATH fails too', () => {
    expect(seen(withConfig(COPIED(base), { Entrypoint: ['python3'] }))[0]).toMatch(
      /^python3 is \/usr\/local\/bin\/python3\.11/,
    );
  });

  test('passes the base python by any name that leads to it: python3.11 itself, a venv symlink, PATH lookup', () => {
    expect(check(withConfig(base, { Entrypoint: ['/usr/bin/python3.11'] }))).toEqual([]);
    expect(
      check(
        withConfig(withFs(base, [symlink('/app/venv/bin/python', '/usr/bin/python3')]), {
          Entrypoint: ['/app/venv/bin/python'],
        }),
      ),
    ).toEqual([]);
    expect(check(withConfig(base, { Entrypoint: ['python3'] }))).toEqual([]);
  });

  test('a program that is not the base interpreter at all is named as such', () => {
    const f = withConfig(withFs(base, [exe('/app/server', { elf: 'x86-64', layer: 1 })]), {
      Entrypoint: ['/app/server'],
      Cmd: [],
    });
    expect(seen(f)).toEqual(['/app/server is /app/server: not the base interpreter, from layer 1']);
  });

  test('a "#!" script is judged by the interpreter it runs: the base python passes, a copied-in one fails', () => {
    const script = (shebang: string) => exe('/usr/local/bin/serve', { shebang, layer: 1 });
    const runs = (f: ImageFacts) => withConfig(f, { Entrypoint: ['/usr/local/bin/serve'], Cmd: ['app.main:app'] });
    expect(check(runs(withFs(base, [script('/usr/bin/python3')])))).toEqual([]);
    expect(check(runs(withFs(base, [script('/usr/bin/env python3')])))).toEqual([]);
    // A HEALTHCHECK script found through PATH, as Dockerfiles name it.
    const hc = withConfig(withFs(base, [script('/usr/bin/python3 -I')]), { Healthcheck: { Test: ['CMD', 'serve'] } });
    expect(check(hc)).toEqual([]);
    expect(seen(runs(withFs(COPIED(base), [script('/usr/local/bin/python3')])))).toEqual([
      '/usr/local/bin/serve is /usr/local/bin/python3.11 (a script run by #!/usr/local/bin/python3, /usr/local/bin/python3 -> python3.11): another interpreter, from layer 2',
    ]);
    // An interpreter that is not in the image is programs-start's finding, not repeated here.
    expect(check(runs(withFs(base, [script('/usr/local/bin/python3.11')])))).toEqual([]);
  });

  test('leaves a missing program and a shell-form HEALTHCHECK to entrypoint and healthcheck', () => {
    expect(
      check(
        withConfig(base, {
          Healthcheck: {
            Test: ['CMD', '/usr/local/bin/lucid-healthcheck', 'http://127.0.0.1:8080/api/v1/meta/health'],
          },
        }),
      ),
    ).toEqual([]);
    expect(
      check(
        withConfig(base, { Healthcheck: { Test: ['CMD-SHELL', 'python3 /app/lucid_ref/healthcheck.py || exit 1'] } }),
      ),
    ).toEqual([]);
    expect(check(withConfig(base, { Entrypoint: ['/app/missing'] }))).toEqual([]);
  });

  test('an init wrapper (tini, dumb-init, catatonit) is no interpreter: the command after its options is judged', () => {
    const inits = [
      exe('/usr/bin/tini', { elf: 'x86-64', layer: 1 }),
      exe('/usr/bin/dumb-init', { elf: 'x86-64', layer: 1 }),
      exe('/usr/bin/catatonit', { elf: 'x86-64', layer: 1 }),
    ];
    const wrapped = (f: ImageFacts, Entrypoint: string[], Cmd: string[]) =>
      withConfig(withFs(f, inits), { Entrypoint, Cmd });
    const cmd = ['python3', '-m', 'lucid_ref.serve'];
    expect(check(wrapped(base, ['/usr/bin/tini', '--'], cmd))).toEqual([]);
    expect(check(wrapped(base, ['/usr/bin/tini', '-g', '-s', '-p', 'SIGTERM', '-e', '143', '--'], cmd))).toEqual([]);
    expect(check(wrapped(base, ['tini', '-g', '--', '/usr/bin/python3.11'], ['/app/lucid_ref/serve.py']))).toEqual([]);
    expect(check(wrapped(base, ['/usr/bin/dumb-init', '--rewrite', '15:2', '-c'], cmd))).toEqual([]);
    expect(check(wrapped(base, ['/usr/bin/catatonit', '-g', '--'], cmd))).toEqual([]);
    // The interpreter behind the wrapper is still the one that must be the base's.
    expect(seen(wrapped(COPIED(base), ['/usr/bin/tini', '--'], ['/usr/local/bin/python3', '-m', 'x']))).toEqual([
      '/usr/local/bin/python3 is /usr/local/bin/python3.11 (/usr/local/bin/python3 -> python3.11): another interpreter, from layer 2',
    ]);
  });

  test("fails when the base's interpreter itself is gone", () => {
    const f = withConfig(COPIED(withFs(base, [], ['/usr/bin/python3.11'])), { Entrypoint: ['/usr/local/bin/python3'] });
    expect(seen(f)[0]).toBe(
      "the base's interpreter /usr/bin/python3 is not in the image (resolved to /usr/bin/python3.11); /usr/local/bin/python3 runs /usr/local/bin/python3.11",
    );
  });
});

describe('distroless-base: pinned base layers (contract.base.diffIds)', () => {
  const facts = { ...base, diffIds: [...BASE, `sha256:${'2'.repeat(64)}`] };

  test('passes when the first layers are the pinned ones; unpinned platforms are not judged', () => {
    expect(check(facts, pinned({ 'linux/amd64': BASE }))).toEqual([]);
    expect(check(facts, pinned({ 'linux/arm64': [`sha256:${'9'.repeat(64)}`] }))).toEqual([]);
  });

  test('fails another base layer (an arm64 image built on the amd64 base), naming the first that differs', () => {
    const out = check(facts, pinned({ 'linux/arm64': [`sha256:${'9'.repeat(64)}`] }), 'linux/arm64');
    expect(out.map((x) => x.seen)).toEqual([`layer 0 is ${'1'.repeat(12)}, the pinned base has ${'9'.repeat(12)}`]);
    expect(out[0]!.expected).toBe(
      `the first 1 layer(s) are the pinned gcr.io/distroless/python3-debian12 for linux/arm64 (${'9'.repeat(12)})`,
    );
  });

  test('fails an image with fewer layers than the pinned base', () => {
    expect(seen({ ...base, diffIds: BASE }, pinned({ 'linux/amd64': [...BASE, `sha256:${'3'.repeat(64)}`] }))).toEqual([
      'the image has 1 layer(s), the pinned base 2',
    ]);
  });

  test("with pins, the base interpreter's own path replaced by an upper layer is a copied-in interpreter", () => {
    const f = { ...withFs(base, [exe('/usr/bin/python3.11', { elf: 'x86-64', layer: 1 })]), diffIds: facts.diffIds };
    expect(seen(f, pinned({ 'linux/amd64': BASE }))[0]).toBe(
      '/usr/bin/python3.11 was replaced by layer 1, above the 1 pinned base layer(s): a copied-in interpreter',
    );
  });

  test('the reference-base-pinned profile pins both platforms with full diff_ids', () => {
    const c = loadContract({ overrides: ['reference-base-pinned'] });
    for (const p of c.platforms) expect(c.base.diffIds?.[p]?.[0]).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(c.base.python).toBe(contract.base.python);
  });
});
