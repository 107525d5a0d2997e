/**
 * Hand-made facts for tests: a faithful distroless python3-debian12 service image, plus small
 * builders to add the defect a test is about. Nothing here touches Docker.
 */
import { archOf, variantOf, type Platform } from '../../helpers/model/platform.ts';
import type { Contract, Service } from '../../helpers/contract/schema.ts';
import { machineForArch } from '../../helpers/facts/elf.ts';
import { indexFrom } from '../../helpers/facts/merge.ts';
import type { FsEntry, ImageFacts, ImageRunConfig } from '../../helpers/model/image-facts.ts';

type Opts = Partial<Omit<FsEntry, 'path' | 'type'>>;
export const dir = (path: string, o: Opts = {}): FsEntry => ({
  path,
  type: 'dir',
  mode: 0o755,
  uid: 0,
  gid: 0,
  size: 0,
  ...o,
});
export const file = (path: string, o: Opts = {}): FsEntry => ({
  path,
  type: 'file',
  mode: 0o644,
  uid: 0,
  gid: 0,
  size: 100,
  ...o,
});
export const exe = (path: string, o: Opts = {}): FsEntry => file(path, { mode: 0o755, ...o });
export const symlink = (path: string, link: string): FsEntry => ({
  path,
  type: 'symlink',
  mode: 0o777,
  uid: 0,
  gid: 0,
  size: 0,
  link,
});

export const DISTROLESS_PASSWD =
  'root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n';
export const DISTROLESS_GROUP = 'root:x:0:\nstaff:x:50:\nnobody:x:65534:\nnonroot:x:65532:\n';
const DEBIAN12_OS_RELEASE =
  'PRETTY_NAME="Distroless"\nNAME="Debian GNU/Linux"\nID="debian"\nVERSION_ID="12"\nVERSION="Debian GNU/Linux 12 (bookworm)"\nHOME_URL="https://github.com/GoogleContainerTools/distroless"\n';

export function sampleFacts(contract: Contract, service: Service, platform: Platform): ImageFacts {
  const arch = archOf(platform);
  const elf = machineForArch(arch)!;
  const triple = arch === 'arm64' ? 'aarch64-linux-gnu' : 'x86_64-linux-gnu';
  const python = contract.base.python;
  // What the loader reads: Debian's python3.11 needs these four libraries; arm64 builds align LOAD to 64 KiB.
  const ld = arch === 'arm64' ? 'ld-linux-aarch64.so.1' : 'ld-linux-x86-64.so.2';
  const interp = arch === 'arm64' ? `/lib/${ld}` : `/lib64/${ld}`;
  const align = arch === 'arm64' ? 0x10000 : 0x1000;
  const lib = (name: string, o: Opts = {}) =>
    file(`/usr/lib/${triple}/${name}`, {
      elf,
      size: 200_000,
      soname: name,
      needed: ['libc.so.6'],
      loadAlign: align,
      loadOffsetAlign: align,
      ...o,
    });
  const entries: FsEntry[] = [
    dir('/'),
    ...['/bin', '/etc', '/usr', '/usr/bin', '/usr/lib', '/usr/share', '/var', '/var/lib', '/app', '/app/lucid_ref'].map(
      (p) => dir(p),
    ),
    dir('/tmp', { mode: 0o1777 }),
    dir('/var/local', { mode: 0o2775, gid: 50 }), // base-files' setgid dir, as in real distroless
    dir('/var/lib/dpkg'), // distroless keeps /var/lib/dpkg/status.d: a directory, not the dpkg program
    dir('/var/lib/dpkg/status.d'),
    dir('/home/nonroot', { mode: 0o700, uid: 65532, gid: 65532 }),
    file('/etc/passwd'),
    file('/etc/group'),
    symlink('/etc/os-release', '../usr/lib/os-release'),
    file('/usr/lib/os-release'),
    symlink('/usr/bin/python3', 'python3.11'),
    exe('/usr/bin/python3.11', {
      elf,
      size: 6_000_000,
      interp,
      needed: ['libm.so.6', 'libz.so.1', 'libexpat.so.1', 'libc.so.6'],
      loadAlign: align,
      loadOffsetAlign: align,
    }),
    dir('/usr/lib/python3.11'),
    file('/usr/lib/python3.11/os.py'),
    dir(`/usr/lib/${triple}`),
    exe(`/usr/lib/${triple}/libc.so.6`, {
      elf,
      size: 1_700_000,
      interp,
      soname: 'libc.so.6',
      needed: [ld],
      loadAlign: align,
      loadOffsetAlign: align,
    }),
    exe(`/usr/lib/${triple}/${ld}`, { elf, size: 200_000, soname: ld, loadAlign: align, loadOffsetAlign: align }),
    symlink(interp, `/usr/lib/${triple}/${ld}`),
    lib('libm.so.6'),
    lib('libz.so.1.2.13', { soname: 'libz.so.1' }),
    symlink(`/usr/lib/${triple}/libz.so.1`, 'libz.so.1.2.13'),
    lib('libexpat.so.1.8.10', { soname: 'libexpat.so.1' }),
    symlink(`/usr/lib/${triple}/libexpat.so.1`, 'libexpat.so.1.8.10'),
    file('/app/lucid_ref/serve.py'),
    file('/app/lucid_ref/healthcheck.py'),
  ];
  const fs = indexFrom(entries, {
    '/etc/passwd': DISTROLESS_PASSWD,
    '/etc/group': DISTROLESS_GROUP,
    '/usr/lib/os-release': DEBIAN12_OS_RELEASE,
  });
  const config: ImageRunConfig = {
    User: `${contract.user.uid}:${contract.user.gid}`,
    Env: [
      'PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin',
      'SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt',
      'PYTHONUNBUFFERED=1',
    ],
    Entrypoint: [python],
    Cmd: ['/app/lucid_ref/serve.py', service.name],
    Healthcheck: {
      Test: [
        'CMD',
        python,
        '-I',
        '-S',
        '/app/lucid_ref/healthcheck.py',
        `http://127.0.0.1:${service.port}${service.healthPath}`,
      ],
    },
    ExposedPorts: { [`${service.port}/tcp`]: {} },
    WorkingDir: '/app',
    Labels: {},
  };
  return {
    id: 'sha256:' + '0'.repeat(64),
    ref: `sample/${service.name}`,
    platform,
    architecture: arch,
    os: 'linux',
    ...(variantOf(platform) && { variant: variantOf(platform) }),
    config,
    history: [
      { created_by: 'bazel build @distroless//python3:debian12' },
      { created_by: 'COPY lucid_ref /app/lucid_ref # buildkit' },
    ],
    diffIds: ['sha256:' + '1'.repeat(64), 'sha256:' + '2'.repeat(64)],
    size: 53_000_000,
    layerCount: 2,
    fs,
    gather: {
      source: 'cache',
      exported: false,
      configFrom: 'cache',
      layersIndexed: 0,
      layersFromCache: 0,
      ms: 0,
      warnings: [],
    },
  };
}

/** A copy of the facts with entries added (replacing same paths) or removed, and texts replaced. */
export function withFs(
  facts: ImageFacts,
  add: FsEntry[],
  remove: string[] = [],
  texts: Record<string, string> = {},
): ImageFacts {
  const entries = new Map(facts.fs.entries);
  const t = new Map(facts.fs.texts);
  const secrets = new Map(facts.fs.secrets);
  for (const p of remove) {
    entries.delete(p);
    t.delete(p);
    secrets.delete(p);
  }
  for (const e of add) entries.set(e.path, e);
  for (const [p, v] of Object.entries(texts)) t.set(p, v);
  return { ...facts, fs: { entries, texts: t, secrets } };
}

export function withConfig(
  facts: ImageFacts,
  patch: Partial<ImageRunConfig>,
  top: Partial<Pick<ImageFacts, 'architecture' | 'os' | 'variant' | 'history'>> = {},
): ImageFacts {
  return { ...facts, ...top, config: { ...facts.config, ...patch } };
}
