import { describe, expect, test } from 'vitest';
import { loadContract, serviceNamed } from '../../helpers/contract/load.ts';
import { checkNoPackageManager, checkNoShell } from '../../helpers/checks/static/forbidden-files.ts';
import { checkPasswdNonroot } from '../../helpers/checks/static/passwd.ts';
import { checkNoSetuid, checkNoWorldWritable } from '../../helpers/checks/static/permissions.ts';
import type { StaticCheck } from '../../helpers/checks/static/types.ts';
import { dir, exe, file, sampleFacts, symlink, withFs } from '../support/sample-facts.ts';
import type { ImageFacts } from '../../helpers/model/image-facts.ts';

const contract = loadContract({});
const svc = serviceNamed(contract, 'block-manager');
const base = sampleFacts(contract, svc, 'linux/arm64');
const run = (check: StaticCheck, facts: ImageFacts) => check(facts, contract, svc, 'linux/arm64');
const seen = (check: StaticCheck, facts: ImageFacts) => run(check, facts).map((f) => f.seen);

describe('no-shell', () => {
  test('fails /bin/sh, a shell copied to /app/usr/bin, and lists every path', () => {
    const facts = withFs(base, [
      symlink('/bin/sh', 'dash'),
      exe('/bin/dash'),
      exe('/app/usr/bin/sh'),
      exe('/app/usr/bin/bash'),
    ]);
    expect(seen(checkNoShell, facts)).toEqual([
      '/app/usr/bin/bash (file) is a shell by name: "bash"',
      '/app/usr/bin/sh (file) is a shell by name: "sh"',
      '/bin/dash (file) is a shell by name: "dash"',
      '/bin/sh (symlink -> dash) is a shell by name: "sh"',
    ]);
    expect(run(checkNoShell, facts)[0]!.where).toContain('/app/usr/bin/bash');
  });

  test('fails busybox under another name, found by content, and toybox', () => {
    const facts = withFs(base, [
      exe('/usr/local/bin/tool', { multiCall: 'busybox' }),
      exe('/opt/t', { multiCall: 'toybox' }),
      exe('/bin/busybox', { multiCall: 'busybox' }),
    ]);
    expect(seen(checkNoShell, facts)).toEqual([
      '/bin/busybox (file) is a shell by name: "busybox"',
      '/opt/t is a toybox multi-call binary (found by its content) and provides sh',
      '/usr/local/bin/tool is a busybox multi-call binary (found by its content) and provides sh',
    ]);
  });

  test('names a non-executable shell file as such', () => {
    expect(seen(checkNoShell, withFs(base, [file('/app/usr/bin/zsh')]))).toEqual([
      '/app/usr/bin/zsh (file, not executable) is a shell by name: "zsh"',
    ]);
  });

  test('passes near misses: shell.py, bash-completion dir, a directory named fish, sha256sum', () => {
    const facts = withFs(base, [
      file('/app/shell.py'),
      dir('/usr/share/bash-completion'),
      file('/usr/share/bash-completion/bash_completion'),
      dir('/usr/share/fish'),
      exe('/usr/bin/sha256sum'),
      exe('/usr/bin/shasum'),
    ]);
    expect(run(checkNoShell, facts)).toEqual([]);
  });
});

describe('no-package-manager', () => {
  test('fails apt and dpkg (and their links), pip3.11, and a runnable pip module', () => {
    const facts = withFs(base, [
      exe('/usr/bin/apt'),
      symlink('/usr/bin/apt-get', 'apt'),
      exe('/usr/bin/dpkg'),
      exe('/usr/local/bin/pip3.11'),
      dir('/usr/lib/python3/dist-packages/pip'),
      file('/usr/lib/python3/dist-packages/pip/__main__.py'),
    ]);
    expect(seen(checkNoPackageManager, facts)).toEqual([
      '/usr/bin/apt (file) is a package manager by name: "apt"',
      '/usr/bin/apt-get (symlink -> apt) is a package manager by name: "apt-get"',
      '/usr/bin/dpkg (file) is a package manager by name: "dpkg"',
      '/usr/lib/python3/dist-packages/pip is the pip module: "python3 -m pip" installs packages',
      '/usr/local/bin/pip3.11 (file) is a package manager by name: "pip3.11"',
    ]);
  });

  test("fails Fedora's versioned names (pip-3.11, dnf-3) and a sourceless pip module, once per module", () => {
    const facts = withFs(base, [
      exe('/usr/local/bin/pip-3.11'),
      exe('/usr/bin/dnf-3'),
      file('/opt/deps/pip/__init__.pyc'),
      file('/opt/deps/pip/__main__.pyc'),
      file('/srv/pip/__main__.py'),
      file('/srv/pip/__main__.pyc'),
    ]);
    // Before: none of them was a package manager.
    expect(seen(checkNoPackageManager, facts)).toEqual([
      '/opt/deps/pip is the pip module: "python3 -m pip" installs packages',
      '/srv/pip is the pip module: "python3 -m pip" installs packages',
      '/usr/bin/dnf-3 (file) is a package manager by name: "dnf-3"',
      '/usr/local/bin/pip-3.11 (file) is a package manager by name: "pip-3.11"',
    ]);
    // A __pycache__ copy without its source is not importable: no pip module.
    expect(run(checkNoPackageManager, withFs(base, [file('/opt/x/pip/__pycache__/__main__.cpython-311.pyc')]))).toEqual(
      [],
    );
  });

  test('passes /var/lib/dpkg/status.d (kept by distroless), dpkg docs dir, apt.conf.d, pipx-free names', () => {
    const facts = withFs(base, [
      dir('/usr/share/doc/dpkg'),
      dir('/etc/apt'),
      dir('/etc/apt/apt.conf.d'),
      file('/var/lib/dpkg/status.d/libc6'),
      file('/app/pipeline.py'),
      exe('/usr/bin/aptitude-free-tool'),
      exe('/usr/bin/apt-ftparchive-x'),
      exe('/app/bin/pipe-2'),
    ]);
    expect(run(checkNoPackageManager, facts)).toEqual([]);
  });
});

describe('no-setuid', () => {
  test('fails setuid and setgid regular files (hardlinks too)', () => {
    const facts = withFs(base, [
      exe('/usr/bin/su', { mode: 0o4755 }),
      exe('/usr/bin/wall', { mode: 0o2755, gid: 5 }),
      { ...exe('/usr/bin/su2', { mode: 0o4755 }), type: 'hardlink', link: '/usr/bin/su' },
    ]);
    expect(seen(checkNoSetuid, facts)).toEqual([
      '/usr/bin/su is setuid (mode 4755, owner 0:0)',
      '/usr/bin/su2 is setuid (mode 4755, owner 0:0)',
      '/usr/bin/wall is setgid (mode 2755, owner 0:5)',
    ]);
  });

  test("passes base-files' setgid /var/local directory", () => {
    expect(base.fs.entries.get('/var/local')?.mode).toBe(0o2775);
    expect(run(checkNoSetuid, base)).toEqual([]);
  });
});

describe('no-world-writable', () => {
  test('fails a 0777 directory, passes /tmp 1777 and world-writable symlinks', () => {
    const facts = withFs(base, [
      dir('/app/logs', { mode: 0o777, uid: 65532 }),
      dir('/var/tmp', { mode: 0o1777 }),
      symlink('/app/link', '/tmp'),
    ]);
    expect(seen(checkNoWorldWritable, facts)).toEqual([
      '/app/logs is world-writable without the sticky bit (mode 0777, owner 65532:0)',
    ]);
    expect(run(checkNoWorldWritable, base)).toEqual([]);
  });
});

describe('passwd-nonroot', () => {
  test('fails a passwd without 65532 and a missing passwd', () => {
    expect(
      seen(
        checkPasswdNonroot,
        withFs(base, [], [], { '/etc/passwd': 'root:x:0:0::/root:/sbin/nologin\napp:x:1000:1000::/app:/bin/false\n' }),
      ),
    ).toEqual(['no uid 65532; /etc/passwd has root=0, app=1000']);
    expect(seen(checkPasswdNonroot, withFs(base, [], ['/etc/passwd']))).toEqual(['the image has no /etc/passwd']);
  });

  test('follows a symlinked /etc/passwd', () => {
    const facts = withFs(base, [symlink('/etc/passwd', '../usr/lib/os-release')], []);
    expect(seen(checkPasswdNonroot, facts)[0]).toContain('no uid 65532');
  });
});
