import type { Platform } from '../../model/platform.ts';
import type { Contract, Service } from '../../contract/schema.ts';
import type { ImageFacts } from '../../model/image-facts.ts';
import type { Finding } from '../../model/finding.ts';
import { checkEntrypoint, ENTRYPOINT } from './entrypoint.ts';
import { checkExposedPort, EXPOSED_PORT } from './exposed-port.ts';
import { checkNoPackageManager, checkNoShell, NO_PACKAGE_MANAGER, NO_SHELL } from './forbidden-files.ts';
import { checkHealthcheck, HEALTHCHECK } from './healthcheck.ts';
import { checkPasswdNonroot, PASSWD_NONROOT } from './passwd.ts';
import { checkNoSetuid, checkNoWorldWritable, NO_SETUID, NO_WORLD_WRITABLE } from './permissions.ts';
import { checkPi5PageSize, PI5_PAGE_SIZE } from './pi5-page-size.ts';
import { checkPlatform, PLATFORM } from './platform.ts';
import { checkProgramsStart, PROGRAMS_START } from './programs-start.ts';
import { checkNoSecrets, NO_SECRETS } from './secrets.ts';
import { notApplicableReason, type StaticCheckSpec } from './types.ts';
import { checkUser, USER } from './user.ts';
import { checkNoSecretFiles, NO_SECRET_FILES } from './secret-files.ts';
import { checkDistrolessBase, DISTROLESS_BASE } from './distroless-base.ts';

/** Every static check, in report order; suites make one test per entry. */
export const STATIC_CHECKS: readonly StaticCheckSpec[] = [
  { name: USER, title: 'User resolves to the contract uid:gid', run: checkUser },
  { name: PLATFORM, title: 'os/architecture/variant and ELF machine match the platform', run: checkPlatform },
  { name: EXPOSED_PORT, title: 'ExposedPorts holds the contract port', run: checkExposedPort },
  {
    name: HEALTHCHECK,
    title: 'HEALTHCHECK is exec form, its program exists, it probes the contract endpoint',
    run: checkHealthcheck,
  },
  { name: ENTRYPOINT, title: 'Entrypoint/Cmd programs exist', run: checkEntrypoint },
  {
    name: PROGRAMS_START,
    title:
      'Entrypoint/Cmd and HEALTHCHECK programs can start: ELF interpreter and libraries, #! interpreter, Python module resolve',
    run: checkProgramsStart,
  },
  {
    name: NO_SHELL,
    title: 'no shell anywhere (by name, or by content: busybox, toybox, dash, bash, zsh, mksh, ...)',
    run: checkNoShell,
  },
  { name: NO_PACKAGE_MANAGER, title: 'no package manager', run: checkNoPackageManager },
  { name: NO_SETUID, title: 'no setuid/setgid regular file', run: checkNoSetuid },
  { name: NO_WORLD_WRITABLE, title: 'no world-writable directory without the sticky bit', run: checkNoWorldWritable },
  { name: PASSWD_NONROOT, title: '/etc/passwd has the contract uid', run: checkPasswdNonroot },
  { name: NO_SECRETS, title: 'no secrets in Env or history', run: checkNoSecrets },
  {
    name: NO_SECRET_FILES,
    title: 'no secret files: private keys, env/config files with literal passwords or tokens (by content)',
    run: checkNoSecretFiles,
  },
  {
    name: DISTROLESS_BASE,
    title: 'built on the claimed distroless base: os-release, the base interpreter, pinned base layers',
    run: checkDistrolessBase,
  },
  {
    name: PI5_PAGE_SIZE,
    title: 'Raspberry Pi 5 readiness: every aarch64 ELF LOAD segment aligned to >= 16 KiB',
    run: checkPi5PageSize,
    platforms: ['linux/arm64'],
    notApplicable: 'Raspberry Pi 5 readiness (16 KiB pages) applies to linux/arm64 images only',
  },
];

export function runStaticChecks(
  facts: ImageFacts,
  contract: Contract,
  service: Service,
  platform: Platform,
): { name: string; findings: Finding[] }[] {
  return STATIC_CHECKS.filter((c) => !notApplicableReason(c, platform)).map((c) => ({
    name: c.name,
    findings: c.run(facts, contract, service, platform),
  }));
}
