import { hostname } from 'node:os';

/** Every container, network and image the harness creates carries these labels, so sweeps can find them. */
export const LABEL_OWNER = 'io.lucid.harness';
export const LABEL_RUN = 'io.lucid.harness.run';
export const LABEL_ROLE = 'io.lucid.harness.role';
/** host and pid of the process that started a run: a run whose process is gone left leftovers. */
export const LABEL_HOST = 'io.lucid.harness.host';
export const LABEL_PID = 'io.lucid.harness.pid';

/** Inherited by child processes (the CLI's vitest child), so a whole `verify` is one run. */
export const RUN_ID = (process.env.LUCID_RUN_ID ??= `${Date.now().toString(36)}-${process.pid}`);
const RUN_PID = (process.env.LUCID_RUN_PID ??= String(process.pid));

export function harnessLabels(role: string): Record<string, string> {
  return {
    [LABEL_OWNER]: 'true',
    [LABEL_RUN]: RUN_ID,
    [LABEL_ROLE]: role,
    [LABEL_HOST]: hostname(),
    [LABEL_PID]: RUN_PID,
  };
}
