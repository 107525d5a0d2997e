import { STATIC_CHECKS } from './static/registry.ts';
import { RUNTIME_CHECK_NAMES } from './runtime-catalog.ts';

export const STATIC_CHECK_NAMES = STATIC_CHECKS.map((c) => c.name);
export const SMOKE_CHECK_NAMES: readonly string[] = [...STATIC_CHECK_NAMES, ...RUNTIME_CHECK_NAMES];
