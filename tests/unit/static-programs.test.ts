import { describe, expect, test } from 'vitest';
import { NotRun } from '../../helpers/model/verdict.ts';
import { loadContract, serviceNamed } from '../../helpers/contract/load.ts';
import type { Platform } from '../../helpers/model/platform.ts';
import { checkNoShell } from '../../helpers/checks/static/forbidden-files.ts';
import { checkPi5PageSize } from '../../helpers/checks/static/pi5-page-size.ts';
import { STATIC_CHECKS } from '../../helpers/checks/static/registry.ts';
import { notApplicableReason } from '../../helpers/checks/static/types.ts';
import { appOf, checkProgramsStart, pythonInvocation } from '../../helpers/checks/static/programs-start.ts';
import type { StaticCheck } from '../../helpers/checks/static/types.ts';
import { shellExecCandidates } from '../../helpers/checks/shell-candidates.ts';
import { ContentFacts } from '../../helpers/facts/content-facts.ts';
import { craftElf, withLoadAlign } from '../../helpers/facts/elf-craft.ts';
import { ElfStreamCollector, readElf, readFromBuffer } from '../../helpers/facts/elf.ts';
import { defaultLibDirs, ldSoConfDirs } from '../../helpers/facts/loader.ts';
import { dir, exe, file, sampleFacts, symlink, withConfig, withFs } from '../support/sample-facts.ts';
import type { FsEntry, ImageFacts } from '../../helpers/model/image-facts.ts';

const contract = loadContract({});
const gateway = serviceNamed(contract, 'api-gateway');
const amd: Platform = 'linux/amd64';
const arm: Platform = 'linux/arm64';
const amdBase = sampleFacts(contract, gateway, amd);
const armBase = sampleFacts(contract, gateway, arm);
const run = (check: StaticCheck, facts: ImageFacts, platform: Platform = amd) =>
  check(facts, contract, gateway, platform);
const seen = (check: StaticCheck, facts: ImageFacts, platform: Platform = amd) =>
  run(check, facts, platform).map((f) => f.seen);

/** The facts a layer scan gathers from these bytes, as the entry at `path` with `mode`. */
function scanned(path: string, data: Buffer, mode = 0o755): FsEntry {
  const e: FsEntry = { path, type: 'file', mode, uid: 0, gid: 0, size: data.length };
  const c = new ContentFacts(e);
  for (let i = 0; i < data.length; i += 4099) c.feed(data.subarray(i, i + 4099));
  c.finish();
  return e;
}

const LD64 = '/lib64/ld-linux-x86-64.so.2';
/** python:3.11-slim's /usr/local/bin/python3.11 as the loader sees it. */
const slimPython = () =>
  scanned(
    '/usr/local/bin/python3.11',
    craftElf({
      machine: 'x86-64',
      interp: LD64,
      needed: ['libpython3.11.so.1.0', 'libc.so.6'],
      runpath: '$ORIGIN/../lib',
      align: 0x1000,
    }),
  );
const slimImage = (extra: FsEntry[] = []) =>
  withConfig(withFs(amdBase, [symlink('/usr/local/bin/python3', 'python3.11'), slimPython(), ...extra]), {
    Entrypoint: ['/usr/local/bin/python3'],
    Cmd: ['/app/lucid_ref/serve.py', 'api-gateway'],
  });
const lib = (path: string, o: Partial<FsEntry> = {}): FsEntry =>
  file(path, { elf: 'x86-64', size: 1000, needed: ['libc.so.6'], ...o });

describe('ELF facts from crafted bytes', () => {
  const bytes = craftElf({
    machine: 'aarch64',
    interp: '/lib/ld-linux-aarch64.so.1',
    needed: ['libfoo.so.1', 'libc.so.6'],
    runpath: '$ORIGIN/../lib:/opt/x',
    rpath: '/old',
    soname: 'x',
    align: 0x1000,
  });

  test('readElf reads PT_INTERP, DT_NEEDED, RUNPATH, RPATH, SONAME and the LOAD alignment', () => {
    expect(readElf(readFromBuffer(bytes))).toEqual({
      machine: 'aarch64',
      interp: '/lib/ld-linux-aarch64.so.1',
      needed: ['libfoo.so.1', 'libc.so.6'],
      runpath: '$ORIGIN/../lib:/opt/x',
      rpath: '/old',
      soname: 'x',
      loadAlign: 0x1000,
      loadOffsetAlign: 1 << 20,
    });
  });

  test('only the headers, program headers, dynamic section and the named strings are read', () => {
    const big = craftElf({
      machine: 'x86-64',
      interp: LD64,
      needed: ['libc.so.6'],
      gap: 3_000_000,
      padding: 5_000_000,
    });
    let bytesRead = 0;
    const info = readElf((o, n) => {
      const b = readFromBuffer(big)(o, n);
      bytesRead += b?.length ?? 0;
      return b;
    });
    expect(info?.needed).toEqual(['libc.so.6']);
    expect(bytesRead).toBeLessThan(20_000);
  });

  test('the stream collector gives the same facts whatever the chunking, with the dynamic section past its prefix', () => {
    const far = craftElf({
      machine: 'x86-64',
      interp: LD64,
      needed: ['libpython3.11.so.1.0'],
      runpath: '$ORIGIN/../lib',
      gap: 4_300_000,
    });
    const whole = readElf(readFromBuffer(far));
    for (const size of [1, 7, 4096, 65536, far.length]) {
      const c = new ElfStreamCollector();
      for (let i = 0; i < (size === 1 ? 70_000 : far.length); i += size) c.feed(far.subarray(i, i + size));
      if (size === 1) c.feed(far.subarray(70_000));
      expect(c.finish(), `chunks of ${size}`).toEqual(whole);
    }
    const text = new ElfStreamCollector();
    text.feed(Buffer.from('#!/bin/sh\n'));
    expect(text.finish()).toBeUndefined();
  });

  test('withLoadAlign patches every LOAD p_align of a copy', () => {
    expect(readElf(readFromBuffer(withLoadAlign(craftElf({ machine: 'aarch64' }), 0x1000)))?.loadAlign).toBe(0x1000);
  });

  test('damaged headers give the machine only, never a throw', () => {
    const b = Buffer.from(bytes);
    b.writeUInt16LE(0xffff, 0x38); // e_phnum far too big
    expect(readElf(readFromBuffer(b))).toEqual({ machine: 'aarch64' });
    expect(readElf(readFromBuffer(bytes.subarray(0, 100)))).toEqual({ machine: 'aarch64' });
  });
});

describe('shells by content', () => {
  const elfWith = (...markers: string[]) =>
    Buffer.concat([
      craftElf({ machine: 'x86-64', interp: LD64, needed: ['libc.so.6'] }),
      ...markers.map((m) => Buffer.from(`\0${m}\0`)),
    ]);

  test.each([
    ['dash', ['sh: turning off NDELAY mode', 'Use "exit" to leave shell.']],
    ['bash', ['GNU bash, version %s (%s)', 'BASH_VERSION']],
    ['zsh', ['ZSH_VERSION', 'zsh_eval_context']],
    ['mksh', ['KSH_VERSION=@(#)MIRBSD KSH R59 2023/04/29']],
    ['mksh', ['KSH_VERSION=@(#)LEGACY KSH R59 2023/04/29 +Debian']],
    ['ksh93', ['KSH_VERSION', '@(#)$Id: wait (AT&T Research) 1999-06-17 $']],
  ])('an ELF holding the markers of %s is that shell', (kind, markers) => {
    expect(scanned('/usr/local/bin/helper', elfWith(...markers)).shell).toBe(kind);
  });

  test('one marker alone, a script, or a file that is not executable is no shell', () => {
    expect(scanned('/x', elfWith('BASH_VERSION')).shell).toBeUndefined();
    expect(scanned('/x', Buffer.from('#!/bin/sh\n# GNU bash, version 5 BASH_VERSION\n')).shell).toBeUndefined();
    expect(scanned('/x', elfWith('GNU bash, version ', 'BASH_VERSION'), 0o644).shell).toBeUndefined();
  });

  test('no-shell fails a dash under an innocent name; the runtime check tries it', () => {
    const dash = scanned('/usr/local/bin/helper', elfWith('sh: turning off NDELAY mode', 'Use "exit" to leave shell.'));
    const facts = withFs(amdBase, [dash]);
    expect(seen(checkNoShell, facts)).toEqual([
      '/usr/local/bin/helper (file) is the dash shell by its content, whatever its name',
    ]);
    expect(shellExecCandidates(contract, facts)).toContainEqual(['/usr/local/bin/helper', '-c', 'true']);
    expect(run(checkNoShell, amdBase)).toEqual([]);
  });
});

describe('programs-start: the loader', () => {
  test('the distroless-like image passes on both platforms', () => {
    expect(run(checkProgramsStart, amdBase)).toEqual([]);
    expect(run(checkProgramsStart, armBase, arm)).toEqual([]);
  });

  test("python:3.11-slim's interpreter without its libpython fails, naming the library, its needer and the dirs searched", () => {
    const s = seen(checkProgramsStart, slimImage());
    expect(s).toHaveLength(1);
    expect(s[0]).toBe(
      'needs libpython3.11.so.1.0 (DT_NEEDED of /usr/local/bin/python3.11); searched /usr/local/bin/../lib, /lib/x86_64-linux-gnu, /usr/lib/x86_64-linux-gnu, /lib64, /usr/lib64, /lib, /usr/lib: not found',
    );
  });

  test('the library found through RUNPATH $ORIGIN, LD_LIBRARY_PATH or ld.so.conf includes passes', () => {
    const libpy = (p: string) => lib(p, { soname: 'libpython3.11.so.1.0' });
    expect(run(checkProgramsStart, slimImage([libpy('/usr/local/lib/libpython3.11.so.1.0')]))).toEqual([]);
    expect(
      run(
        checkProgramsStart,
        withConfig(slimImage([libpy('/opt/py/libpython3.11.so.1.0')]), { Env: ['LD_LIBRARY_PATH=/opt/py'] }),
      ),
    ).toEqual([]);
    const conf = withFs(slimImage([libpy('/opt/conf/libpython3.11.so.1.0')]), [], [], {
      '/etc/ld.so.conf': 'include /etc/ld.so.conf.d/*.conf\n',
      '/etc/ld.so.conf.d/py.conf': '# py\n/opt/conf\n',
    });
    expect(ldSoConfDirs(conf.fs)).toEqual(['/opt/conf']);
    expect(run(checkProgramsStart, conf)).toEqual([]);
  });

  test('a library for another machine is skipped as the loader skips it', () => {
    expect(
      seen(checkProgramsStart, slimImage([lib('/usr/local/lib/libpython3.11.so.1.0', { elf: 'aarch64' })]))[0],
    ).toContain('needs libpython3.11.so.1.0');
  });

  test("the libraries' own DT_NEEDED are followed (cycles end), through symlinks, with RPATH inherited from the program", () => {
    const app = exe('/opt/app/bin/app', { elf: 'x86-64', interp: LD64, needed: ['liba.so'], rpath: '$ORIGIN/../lib' });
    const facts = (extra: FsEntry[]) =>
      withConfig(withFs(amdBase, [app, ...extra]), { Entrypoint: ['/opt/app/bin/app'], Cmd: [] });
    const a = lib('/opt/app/lib/liba.so.1', { needed: ['libb.so', 'libc.so.6'] });
    const b = lib('/opt/app/lib/libb.so', { needed: ['liba.so', 'libmissing.so.3'] });
    expect(seen(checkProgramsStart, facts([a, symlink('/opt/app/lib/liba.so', 'liba.so.1'), b]))).toEqual([
      'needs libmissing.so.3 (DT_NEEDED of /opt/app/lib/libb.so); searched /opt/app/bin/../lib, /lib/x86_64-linux-gnu, /usr/lib/x86_64-linux-gnu, /lib64, /usr/lib64, /lib, /usr/lib: not found',
    ]);
    expect(
      run(
        checkProgramsStart,
        facts([a, symlink('/opt/app/lib/liba.so', 'liba.so.1'), lib('/opt/app/lib/libb.so', { needed: ['liba.so'] })]),
      ),
    ).toEqual([]);
  });

  test('a missing PT_INTERP fails; the HEALTHCHECK program is judged too', () => {
    const bad = exe('/usr/local/bin/probe', {
      elf: 'x86-64',
      interp: '/lib/ld-musl-x86_64.so.1',
      needed: ['libc.musl-x86_64.so.1'],
    });
    const facts = withConfig(withFs(amdBase, [bad]), {
      Healthcheck: { Test: ['CMD', '/usr/local/bin/probe', 'http://127.0.0.1:8080/api/v1/meta/health'] },
    });
    const f = run(checkProgramsStart, facts);
    expect(f.map((x) => x.seen)).toEqual([
      'needs its program interpreter /lib/ld-musl-x86_64.so.1 (PT_INTERP of /usr/local/bin/probe); searched /lib/ld-musl-x86_64.so.1: not found',
      'needs libc.musl-x86_64.so.1 (DT_NEEDED of /usr/local/bin/probe); searched /lib, /usr/local/lib, /usr/lib: not found',
    ]);
    expect(f[0]!.where).toContain('config.Healthcheck.Test');
    expect(defaultLibDirs('aarch64')).toEqual([
      '/lib/aarch64-linux-gnu',
      '/usr/lib/aarch64-linux-gnu',
      '/lib64',
      '/usr/lib64',
      '/lib',
      '/usr/lib',
    ]);
  });

  test('a missing or non-executable program is left to the entrypoint check', () => {
    expect(run(checkProgramsStart, withConfig(amdBase, { Entrypoint: ['/nope'] }))).toEqual([]);
  });
});

describe('programs-start: scripts', () => {
  const script = (shebang: string | undefined) =>
    exe('/usr/local/bin/tool', { ...(shebang !== undefined && { shebang }) });
  const facts = (e: FsEntry, extra: FsEntry[] = []) =>
    withConfig(withFs(amdBase, [e, ...extra]), { Entrypoint: ['tool'], Cmd: ['run'] });

  test('the "#!" interpreter must exist; env finds it on PATH; nested scripts are followed', () => {
    expect(run(checkProgramsStart, facts(script('/usr/bin/python3 -u')))).toEqual([]);
    const env = exe('/usr/bin/env', { elf: 'x86-64', interp: LD64, needed: ['libc.so.6'] });
    expect(run(checkProgramsStart, facts(script('/usr/bin/env python3'), [env]))).toEqual([]);
    expect(seen(checkProgramsStart, facts(script('/usr/bin/env python3')))).toEqual([
      '#!/usr/bin/env python3: /usr/bin/env is not in the image (resolved to /usr/bin/env)',
    ]);
    expect(seen(checkProgramsStart, facts(script('/bin/sh -e')))).toEqual([
      '#!/bin/sh -e: /bin/sh is not in the image (resolved to /bin/sh)',
    ]);
    expect(seen(checkProgramsStart, facts(script('/usr/bin/env node'), [env]))[0]).toMatch(
      /^#!\/usr\/bin\/env node: "node" is not on PATH; looked at \/usr\/local\/bin\/node, /,
    );
    expect(seen(checkProgramsStart, facts(script('/opt/wrap'), [exe('/opt/wrap', { shebang: '/bin/bash' })]))).toEqual([
      '#!/bin/bash: /bin/bash is not in the image (resolved to /bin/bash)',
    ]);
  });

  test('an executable that is neither ELF nor a script cannot be exec-ed', () => {
    expect(seen(checkProgramsStart, facts(script(undefined)))).toEqual([
      '/usr/local/bin/tool is neither an ELF file nor a "#!" script: exec fails with "exec format error"',
    ]);
  });
});

describe('programs-start: Python modules', () => {
  const app = (cmd: string[], extra: FsEntry[] = [], env: string[] = amdBase.config.Env) =>
    withConfig(withFs(amdBase, extra), { Entrypoint: ['/usr/bin/python3'], Cmd: cmd, Env: env });
  // The layout the real HEAD gateway copies: its code lands in /app/api/..., not /app/app/api/...
  const layout = [file('/app/api/__init__.py'), file('/app/api/app/__init__.py'), file('/app/api/app/main.py')];

  test('the HEAD gateway: -m app.api.app.main does not resolve under the layout it copies', () => {
    const s = seen(checkProgramsStart, app(['-m', 'app.api.app.main'], layout));
    expect(s).toEqual([
      'python3 -m app.api.app.main cannot import app.api.app.main: no module or package "app"; looked in /app, /usr/lib/python3.11, /usr/lib/python3.11/lib-dynload',
    ]);
    expect(run(checkProgramsStart, app(['-m', 'api.app.main'], layout))).toEqual([]);
  });

  test('a module that may be inside a zip on PYTHONPATH: not run (the zip is not read), unless it is found outside', () => {
    const zipped = app(['-m', 'svc'], [file('/app/app.zip')], [...amdBase.config.Env, 'PYTHONPATH=/app/app.zip']);
    expect(() => run(checkProgramsStart, zipped)).toThrow(NotRun);
    expect(() => run(checkProgramsStart, zipped)).toThrow(
      'python3 -m svc: svc may be inside /app/app.zip, which is not read; health shows whether the service starts',
    );
    const beside = app(
      ['-m', 'svc'],
      [file('/app/app.zip'), file('/app/svc.py')],
      [...amdBase.config.Env, 'PYTHONPATH=/app/app.zip'],
    );
    expect(run(checkProgramsStart, beside)).toEqual([]);
  });

  test('packages, namespace dirs, compiled modules, PYTHONPATH; -I leaves the working dir out', () => {
    expect(run(checkProgramsStart, app(['-m', 'ns.mod'], [file('/app/ns/mod.pyc')]))).toEqual([]);
    expect(run(checkProgramsStart, app(['-m', 'fast'], [file('/app/fast.cpython-311-x86_64-linux-gnu.so')]))).toEqual(
      [],
    );
    expect(run(checkProgramsStart, app(['-m', 'svc'], [file('/srv/code/svc.py')], ['PYTHONPATH=/srv/code']))).toEqual(
      [],
    );
    expect(seen(checkProgramsStart, app(['-I', '-m', 'api.app.main'], layout))[0]).toContain(
      'no module or package "api"',
    );
    expect(seen(checkProgramsStart, app(['-m', 'api.app.nothere'], layout))[0]).toContain(
      'no submodule or package "nothere" in api.app',
    );
    expect(seen(checkProgramsStart, app(['-m', 'api'], layout))[0]).toContain('without a __main__ module');
  });

  test('an empty PYTHONPATH entry is the working dir, even under -P; PYTHONSAFEPATH= (empty) is unset', () => {
    const env = (...v: string[]) => [...amdBase.config.Env, ...v];
    // Before: the empty entry was dropped, and -P -m api.app.main failed "no module or package api".
    expect(run(checkProgramsStart, app(['-P', '-m', 'api.app.main'], layout, env('PYTHONPATH=:')))).toEqual([]);
    expect(run(checkProgramsStart, app(['-P', '-m', 'api.app.main'], layout, env('PYTHONPATH=/x::/y')))).toEqual([]);
    expect(run(checkProgramsStart, app(['-m', 'api.app.main'], layout, env('PYTHONSAFEPATH=')))).toEqual([]);
    // Still: -P with no such entry, PYTHONSAFEPATH=1, and PYTHONPATH= (empty: ignored) leave the working dir out.
    for (const [args, e] of [
      [['-P', '-m', 'api.app.main'], env('PYTHONPATH=/x')],
      [['-m', 'api.app.main'], env('PYTHONSAFEPATH=1')],
      [['-P', '-m', 'api.app.main'], env('PYTHONPATH=')],
    ] as const)
      expect(seen(checkProgramsStart, app([...args], layout, [...e]))[0]).toContain('no module or package "api"');
  });

  test('one path dir: a package beats a module file, a module file beats a directory without __init__', () => {
    const assets = [dir('/app/server'), dir('/app/server/static'), file('/app/server/static/x.css')];
    expect(run(checkProgramsStart, app(['-m', 'server'], [file('/app/server.py'), ...assets]))).toEqual([]);
    // With __init__ the package wins, and python -m needs its __main__.
    expect(
      seen(
        checkProgramsStart,
        app(['-m', 'server'], [file('/app/server.py'), ...assets, file('/app/server/__init__.py')]),
      )[0],
    ).toContain('server is a package (/app/server) without a __main__ module');
    // A namespace portion in an earlier dir yields to a module in a later one.
    expect(
      run(
        checkProgramsStart,
        app(['-m', 'svc'], [dir('/app/svc/static'), file('/srv/code/svc.py')], ['PYTHONPATH=/srv/code']),
      ),
    ).toEqual([]);
  });

  test('uvicorn and gunicorn apps resolve from the working dir and their --app-dir', () => {
    const uvicorn = exe('/usr/local/bin/uvicorn', { shebang: '/usr/bin/python3' });
    const cmd = (c: string[], extra: FsEntry[]) =>
      withConfig(withFs(amdBase, [uvicorn, ...extra]), { Entrypoint: c, Cmd: [] });
    expect(run(checkProgramsStart, cmd(['uvicorn', 'api.app.main:app', '--port', '8080'], layout))).toEqual([]);
    expect(
      seen(checkProgramsStart, cmd(['uvicorn', '--log-level', 'info', 'app.api.app.main:app'], layout))[0],
    ).toContain('uvicorn app.api.app.main:app cannot import app.api.app.main');
    expect(run(checkProgramsStart, cmd(['uvicorn', '--app-dir', '/srv', 'web:app'], [file('/srv/web.py')]))).toEqual(
      [],
    );
    const viaM = app(
      ['-m', 'uvicorn', 'api.app.main:app'],
      [
        ...layout,
        dir('/usr/lib/python3/dist-packages'),
        file('/usr/lib/python3/dist-packages/uvicorn/__init__.py'),
        file('/usr/lib/python3/dist-packages/uvicorn/__main__.py'),
      ],
    );
    expect(run(checkProgramsStart, viaM)).toEqual([]);
    expect(appOf('gunicorn', ['-b', '0.0.0.0:80', '--chdir', '/srv', 'web.wsgi'])).toEqual({
      module: 'web.wsgi',
      dirs: ['/srv'],
    });
    expect(pythonInvocation(['-IS', '-W', 'ignore', '-mpkg.mod', 'x'])).toEqual({
      flags: new Set(['I', 'S']),
      module: 'pkg.mod',
      rest: ['x'],
    });
    // -c code, as the next argument or glued to its option (-uc CODE, -cCODE): its text and where it is.
    for (const [args, codeArg] of [
      [['-uc', 'import app'], 1],
      [['-I', '-cimport app'], 1],
    ] as const)
      expect(pythonInvocation(args)).toMatchObject({ code: true, codeText: 'import app', codeArg });
  });

  test('gunicorn and uvicorn options that take a value are not the app', () => {
    expect(appOf('gunicorn', ['myproject.wsgi', '--bind', '0.0.0.0:8080', '--log-level', 'info'])).toEqual({
      module: 'myproject.wsgi',
      dirs: [],
    });
    expect(
      appOf('gunicorn', [
        '-c',
        'python:conf.gunicorn',
        '-k',
        'uvicorn.workers.UvicornWorker',
        '-w',
        '4',
        'app.main:app',
      ]),
    ).toEqual({ module: 'app.main', dirs: [] });
    expect(
      appOf('gunicorn', ['-w4', '-b:8080', '--timeout=30', '--preload', 'svc.wsgi', '--access-logfile', '-']),
    ).toEqual({ module: 'svc.wsgi', dirs: [] });
    expect(appOf('gunicorn', ['--pythonpath', '/srv/a,/srv/b', '--chdir=/srv', '-D', 'web:app'])).toEqual({
      module: 'web',
      dirs: ['/srv/a', '/srv/b', '/srv'],
    });
    // No app on the command line (gunicorn -c conf.py names it in the config): nothing to judge.
    expect(appOf('gunicorn', ['-c', 'conf.py', '--log-level', 'debug'])).toEqual({ dirs: [] });
    expect(appOf('uvicorn', ['--env-file', 'conf:env', '--log-config', 'log.yaml', 'api.main:app'])).toEqual({
      module: 'api.main',
      dirs: [],
    });
    expect(appOf('uvicorn', ['--factory', '--proxy-headers', 'api.main:create', '--port', '8080'])).toEqual({
      module: 'api.main',
      dirs: [],
    });
    const gunicorn = exe('/usr/local/bin/gunicorn', { shebang: '/usr/bin/python3' });
    const facts = withConfig(
      withFs(amdBase, [
        gunicorn,
        dir('/app/myproject'),
        file('/app/myproject/__init__.py'),
        file('/app/myproject/wsgi.py'),
      ]),
      { Entrypoint: null, Cmd: ['gunicorn', 'myproject.wsgi', '--bind', '0.0.0.0:8080', '--log-level', 'info'] },
    );
    expect(run(checkProgramsStart, facts)).toEqual([]);
    expect(
      seen(checkProgramsStart, withConfig(facts, { Cmd: ['gunicorn', '--log-level', 'info', 'myproject.nothere'] }))[0],
    ).toContain('cannot import myproject.nothere');
  });

  test("Debian's python3.11 site dirs are dist-packages; site-packages only where PYTHONPATH names it", () => {
    const pkg = (site: string) => [dir(site), file(`${site}/svc/__init__.py`), file(`${site}/svc/__main__.py`)];
    const py = (site: string, env: string[] = amdBase.config.Env) => app(['-m', 'svc'], pkg(site), env);
    for (const site of [
      '/usr/local/lib/python3.11/dist-packages',
      '/usr/lib/python3/dist-packages',
      '/usr/lib/python3.11/dist-packages',
    ])
      expect(run(checkProgramsStart, py(site))).toEqual([]);
    for (const site of ['/usr/lib/python3.11/site-packages', '/usr/local/lib/python3.11/site-packages'])
      expect(seen(checkProgramsStart, py(site))[0]).toContain('no module or package "svc"');
    // The real Lucid layout: a copied site-packages named on PYTHONPATH.
    const lucid = [...amdBase.config.Env, 'PYTHONPATH=/app:/usr/local/lib/python3.11/site-packages'];
    expect(run(checkProgramsStart, py('/usr/local/lib/python3.11/site-packages', lucid))).toEqual([]);
    // An upstream CPython (python:3.11-slim's /usr/local prefix) has site-packages, and no dist-packages.
    const upstream = (site: string) =>
      withConfig(
        withFs(amdBase, [
          exe('/usr/local/bin/python3.11', { elf: 'x86-64', interp: LD64, needed: ['libc.so.6'] }),
          file('/usr/local/lib/python3.11/os.py'),
          ...pkg(site),
        ]),
        { Entrypoint: ['/usr/local/bin/python3.11'], Cmd: ['-m', 'svc'] },
      );
    expect(run(checkProgramsStart, upstream('/usr/local/lib/python3.11/site-packages'))).toEqual([]);
    expect(seen(checkProgramsStart, upstream('/usr/local/lib/python3.11/dist-packages'))[0]).toContain(
      'no module or package "svc"',
    );
    // A /usr python of a distribution that is not Debian's keeps the upstream layout.
    const alpine = withFs(py('/usr/lib/python3.11/site-packages'), [], [], {
      '/usr/lib/os-release': 'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.19.1\n',
    });
    expect(run(checkProgramsStart, alpine)).toEqual([]);
  });

  test("a venv sees the system's site dirs (and the user site) only with include-system-site-packages = true", () => {
    const venv = [
      dir('/opt/venv/bin'),
      symlink('/opt/venv/bin/python3', '/usr/bin/python3'),
      file('/opt/venv/pyvenv.cfg'),
      dir('/opt/venv/lib/python3.11/site-packages'),
      dir('/usr/lib/python3/dist-packages'),
      file('/usr/lib/python3/dist-packages/svc/__init__.py'),
      file('/usr/lib/python3/dist-packages/svc/__main__.py'),
      file('/opt/venv/lib/python3.11/site-packages/own/__main__.py'),
      file('/home/nonroot/.local/lib/python3.11/site-packages/mine/__main__.py'),
    ];
    const facts = (cfg: string, module: string) =>
      withFs(
        withConfig(amdBase, { Entrypoint: null, Cmd: ['/opt/venv/bin/python3', '-m', module], WorkingDir: '/app' }),
        venv,
        [],
        { '/opt/venv/pyvenv.cfg': cfg },
      );
    const on = 'home = /usr/bin\ninclude-system-site-packages = true\nversion = 3.11.2\n';
    const off = 'home = /usr/bin\ninclude-system-site-packages = false\nversion = 3.11.2\n';
    for (const m of ['svc', 'own', 'mine']) expect(run(checkProgramsStart, facts(on, m)), m).toEqual([]);
    expect(run(checkProgramsStart, facts(off, 'own'))).toEqual([]);
    for (const m of ['svc', 'mine'])
      expect(seen(checkProgramsStart, facts(off, m))[0]).toContain(`no module or package "${m}"`);
    const where = run(checkProgramsStart, facts(on, 'nothere'))[0]!.where;
    expect(where).toContain(
      '/opt/venv/lib/python3.11/site-packages (site), /home/nonroot/.local/lib/python3.11/site-packages (user site), /usr/lib/python3/dist-packages (site)',
    );
  });

  test('a .pth line names a dir relative to its site dir, or an absolute one as it is (an editable install)', () => {
    const site = '/opt/venv/lib/python3.11/site-packages';
    const facts = (pth: string) =>
      withFs(
        withConfig(amdBase, { Entrypoint: ['/opt/venv/bin/python3', '-m', 'svcpkg.serve'], Cmd: ['data-chain'] }),
        [
          dir('/opt/venv/bin'),
          symlink('/opt/venv/bin/python3', '/usr/bin/python3.11'),
          file('/opt/venv/pyvenv.cfg'),
          dir(site),
          file(`${site}/_svcpkg.pth`),
          dir(`${site}/src`),
          file(`${site}/src/svcpkg/serve.py`),
          dir('/srv/src'),
          file('/srv/src/svcpkg/serve.py'),
        ],
        [],
        {
          '/opt/venv/pyvenv.cfg': 'home = /usr/bin\ninclude-system-site-packages = false\n',
          [`${site}/_svcpkg.pth`]: pth,
        },
      );
    expect(run(checkProgramsStart, facts('/srv/src\n'))).toEqual([]);
    expect(run(checkProgramsStart, facts('src\n'))).toEqual([]);
    expect(seen(checkProgramsStart, facts('/srv/nothere\n'))[0]).toContain('no module or package "svcpkg"');
    expect(run(checkProgramsStart, facts('/srv/nothere\n'))[0]!.where).not.toContain(`${site}/srv`);
  });

  test('behind an init wrapper (tini, dumb-init) the command it runs is judged; the wrapper must start too', () => {
    const tini = exe('/usr/bin/tini', { elf: 'x86-64', interp: LD64, needed: ['libc.so.6'] });
    const wrapped = (Cmd: string[], extra: FsEntry[] = layout, init = tini) =>
      withConfig(withFs(amdBase, [init, ...extra]), { Entrypoint: ['/usr/bin/tini', '-g', '--'], Cmd });
    expect(run(checkProgramsStart, wrapped(['python3', '-m', 'api.app.main']))).toEqual([]);
    expect(run(checkProgramsStart, wrapped(['python3', '-m', 'app.api.app.main']))[0]).toMatchObject({
      seen: expect.stringContaining('python3 -m app.api.app.main cannot import app.api.app.main'),
      where: expect.stringContaining('config.Entrypoint + config.Cmd, the command tini runs ["python3","-m"'),
    });
    const broken = exe('/usr/bin/tini', { elf: 'x86-64', interp: LD64, needed: ['libnothere.so.1'] });
    expect(seen(checkProgramsStart, wrapped(['python3', '-m', 'api.app.main'], layout, broken))[0]).toContain(
      'libnothere.so.1',
    );
  });

  test('the user site dir: ~/.local/lib/python3.11/site-packages of HOME, else of the User in /etc/passwd', () => {
    // pip install --user in a builder, then COPY --chown=nonroot /root/.local /home/nonroot/.local.
    const site = '/home/nonroot/.local/lib/python3.11/site-packages';
    const pkg = [dir(site), file(`${site}/svc/__init__.py`), file(`${site}/svc/__main__.py`)];
    const env = (...e: string[]) => [...amdBase.config.Env, ...e];
    // User 65532 is nonroot, home /home/nonroot, in the base's passwd: Docker sets HOME from it.
    expect(run(checkProgramsStart, app(['-m', 'svc'], pkg))).toEqual([]);
    expect(run(checkProgramsStart, app(['-m', 'svc'], pkg, env('HOME=/home/nonroot')))).toEqual([]);
    expect(seen(checkProgramsStart, app(['-m', 'svc'], pkg, env('HOME=/tmp')))[0]).toContain(
      'no module or package "svc"',
    );
    expect(run(checkProgramsStart, withConfig(app(['-m', 'svc'], pkg), { User: 'nonroot' }))).toEqual([]);
    // A uid /etc/passwd does not name: Docker sets HOME=/.
    expect(seen(checkProgramsStart, withConfig(app(['-m', 'svc'], pkg), { User: '4242' }))[0]).toContain(
      'no module or package "svc"',
    );
    // -s, -I and PYTHONNOUSERSITE switch it off; -E ignores PYTHONNOUSERSITE.
    for (const [cmd, e] of [
      [['-s', '-m', 'svc'], env()],
      [['-I', '-m', 'svc'], env()],
      [['-m', 'svc'], env('PYTHONNOUSERSITE=1')],
    ] as const)
      expect(seen(checkProgramsStart, app([...cmd], pkg, [...e]))[0]).toContain('no module or package "svc"');
    expect(run(checkProgramsStart, app(['-E', '-m', 'svc'], pkg, env('PYTHONNOUSERSITE=1')))).toEqual([]);
    expect(run(checkProgramsStart, app(['-m', 'nothere'], pkg))[0]!.where).toContain(`${site} (user site)`);
  });

  test('the real Dockerfile.anchoring: PYTHONPATH names /root/.local, which uid 65532 cannot enter (/root is 0700)', () => {
    const site = '/root/.local/lib/python3.11/site-packages';
    const pkg = [dir('/root', { mode: 0o700 }), dir(site, { uid: 65532, gid: 65532 }), file(`${site}/svc/__init__.py`)];
    const cmd = (more: FsEntry[] = []) =>
      app(
        ['-m', 'svc'],
        [...pkg, file(`${site}/svc/__main__.py`), ...more],
        [...amdBase.config.Env, `PYTHONPATH=/app:${site}`],
      );
    expect(seen(checkProgramsStart, cmd())).toEqual([
      'python3 -m svc cannot import svc: no module or package "svc"; looked in /app, /usr/lib/python3.11, ' +
        '/usr/lib/python3.11/lib-dynload; not searched, though on the path: ' +
        '/root/.local/lib/python3.11/site-packages (/root is 0700 0:0, so uid 65532 cannot enter it)',
    ]);
    // Root reads it; so does 65532 once /root lets it through, or once the site dir is its own under a 0700 home.
    expect(run(checkProgramsStart, withConfig(cmd(), { User: '0' }))).toEqual([]);
    expect(run(checkProgramsStart, cmd([dir('/root', { mode: 0o711 })]))).toEqual([]);
    expect(seen(checkProgramsStart, cmd([dir('/root', { mode: 0o711 }), dir(site, { mode: 0o700 })]))[0]).toContain(
      `${site} (${site} is 0700 0:0, so uid 65532 cannot list it)`,
    );
    // A group /etc/group lists the user in (a supplementary group, as runc sets them for a User without a group)
    // opens it too.
    const staffOnly = cmd([dir('/root', { mode: 0o750, gid: 50 })]);
    expect(seen(checkProgramsStart, staffOnly)[0]).toContain('(/root is 0750 0:50, so uid 65532 cannot enter it)');
    staffOnly.fs.texts.set('/etc/group', 'root:x:0:\nstaff:x:50:nonroot\nnonroot:x:65532:\n');
    for (const User of ['65532', 'nonroot'])
      expect(run(checkProgramsStart, withConfig(staffOnly, { User }))).toEqual([]);
    // runc adds supplementary groups only when User names no group: "65532:65532" (or "nonroot:nonroot") gets none.
    for (const User of ['65532:65532', 'nonroot:nonroot'])
      expect(seen(checkProgramsStart, withConfig(staffOnly, { User }))[0], User).toContain(
        '(/root is 0750 0:50, so uid 65532 cannot enter it)',
      );
  });
});

describe('pi5-page-size', () => {
  test('the arm64 base (64 KiB aligned) passes; on amd64 the check is not run, with the reason', () => {
    expect(run(checkPi5PageSize, armBase, arm)).toEqual([]);
    const spec = STATIC_CHECKS.find((c) => c.name === 'pi5-page-size')!;
    expect(notApplicableReason(spec, arm)).toBeUndefined();
    expect(notApplicableReason(spec, amd)).toBe(
      'Raspberry Pi 5 readiness (16 KiB pages) applies to linux/arm64 images only; this image is linux/amd64',
    );
    // Every other check judges every platform.
    expect(STATIC_CHECKS.filter((c) => notApplicableReason(c, amd)).map((c) => c.name)).toEqual(['pi5-page-size']);
  });

  test("an aarch64 ELF aligned to 4 KiB fails on arm64; x86-64 files are the platform check's", () => {
    const four = scanned('/usr/local/bin/tool', withLoadAlign(craftElf({ machine: 'aarch64' }), 0x1000));
    const f = run(
      checkPi5PageSize,
      withFs(armBase, [four, file('/opt/x86.so', { elf: 'x86-64', loadAlign: 0x1000 })]),
      arm,
    );
    expect(f.map((x) => x.seen)).toEqual([
      '1 ELF file(s) cannot be loaded with 16 KiB pages: /usr/local/bin/tool (LOAD p_align 0x1000)',
    ]);
    expect(f[0]!.where).toMatch(/^image file \/usr\/local\/bin\/tool \(layer /);
    const congruent = file('/opt/y.so', { elf: 'aarch64', loadAlign: 0x10000, loadOffsetAlign: 0x1000 });
    expect(seen(checkPi5PageSize, withFs(armBase, [congruent]), arm)[0]).toContain(
      '/opt/y.so (LOAD p_vaddr - p_offset only 0x1000-aligned)',
    );
  });
});
