import { STATIC_CHECKS } from '../../helpers/checks/static/registry.ts';
import { RUNTIME_CHECK_NAMES } from '../../helpers/checks/runtime-catalog.ts';
import { notApplicableReason } from '../../helpers/checks/static/types.ts';
import type { Platform } from '../../helpers/model/platform.ts';

export const STATIC_CHECK_NAMES = STATIC_CHECKS.map((c) => c.name);
export const SMOKE_CHECK_NAMES: readonly string[] = [...STATIC_CHECK_NAMES, ...RUNTIME_CHECK_NAMES];

/** Checks that do not apply to a platform's images (the Pi 5 check on amd64): not run there, on every image. */
export const notApplicableOn = (platform: string): string[] =>
  STATIC_CHECKS.filter((c) => notApplicableReason(c, platform as Platform)).map((c) => c.name);

/** A check result that is not a pass only because its check does not apply to the image's platform. */
export const notApplicableHere = (c: { check: string; platform: string; status: string }): boolean =>
  c.status === 'not-run' && notApplicableOn(c.platform).includes(c.check);
