import { STATIC_CHECKS } from '../../helpers/checks/static/registry.ts';
import { RUNTIME_CHECK_NAMES } from '../../helpers/checks/runtime-catalog.ts';

export const STATIC_CHECK_NAMES = STATIC_CHECKS.map((c) => c.name);
export const SMOKE_CHECK_NAMES: readonly string[] = [...STATIC_CHECK_NAMES, ...RUNTIME_CHECK_NAMES];
