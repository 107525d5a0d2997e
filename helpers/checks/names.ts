import { STATIC_CHECKS } from './static/registry.ts';

/** Runtime checks of the smoke suite, in report order (contract §2 "Running container"). */
export const RUNTIME_CHECKS = [
  { name: 'health', title: 'the health path answers 200 with a schema-valid body within the startup budget' },
  { name: 'process-user', title: 'the service process runs as the contract uid:gid' },
  { name: 'shell-exec', title: 'no shell can be executed in the running container' },
  { name: 'runtime-platform', title: 'a program in the container reports the machine of the platform asked for' },
  { name: 'docker-health', title: "Docker's own health status becomes healthy" },
  { name: 'hardened', title: 'read-only, cap-drop ALL, no-new-privileges, tmpfs on writable dirs: still healthy' },
] as const;

export type RuntimeCheckName = (typeof RUNTIME_CHECKS)[number]['name'];
export const STATIC_CHECK_NAMES = STATIC_CHECKS.map((c) => c.name);
export const SMOKE_CHECK_NAMES: readonly string[] = [...STATIC_CHECK_NAMES, ...RUNTIME_CHECKS.map((c) => c.name)];
