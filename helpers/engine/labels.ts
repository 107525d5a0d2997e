/** Every container, network and image the harness creates carries these labels, so sweeps can find them. */
export const LABEL_OWNER = 'io.lucid.harness';
export const LABEL_RUN = 'io.lucid.harness.run';
export const LABEL_ROLE = 'io.lucid.harness.role';

export const RUN_ID = process.env.LUCID_RUN_ID ?? `${Date.now().toString(36)}-${process.pid}`;

export function harnessLabels(role: string): Record<string, string> {
  return { [LABEL_OWNER]: 'true', [LABEL_RUN]: RUN_ID, [LABEL_ROLE]: role };
}
