import { z } from 'zod';
import type { HistoryItem, ImageRunConfig } from '../model/image-facts.ts';

// Engines write null for absent lists and maps; the schema turns those into empty values.
const strList = z.array(z.string()).nullish();
const RunConfig = z
  .object({
    User: z.string().nullish(),
    Env: strList,
    Entrypoint: strList,
    Cmd: strList,
    Healthcheck: z
      .object({
        Test: strList,
        Interval: z.number().optional(),
        Timeout: z.number().optional(),
        StartPeriod: z.number().optional(),
        Retries: z.number().optional(),
      })
      .nullish(),
    ExposedPorts: z.record(z.string(), z.unknown()).nullish(),
    WorkingDir: z.string().nullish(),
    Labels: z.record(z.string(), z.string()).nullish(),
  })
  .nullish();

/** The OCI / Docker image config blob (only what the harness reads). */
const ConfigBlobSchema = z.object({
  architecture: z.string(),
  os: z.string(),
  variant: z.string().optional(),
  config: RunConfig,
  rootfs: z.object({ type: z.string(), diff_ids: z.array(z.string()) }),
  history: z.array(z.object({ created_by: z.string().optional(), empty_layer: z.boolean().optional() })).nullish(),
});
export type ConfigBlob = z.infer<typeof ConfigBlobSchema>;

export function runConfig(c: z.infer<typeof RunConfig>): ImageRunConfig {
  return {
    User: c?.User ?? '',
    Env: c?.Env ?? [],
    Entrypoint: c?.Entrypoint ?? null,
    Cmd: c?.Cmd ?? null,
    Healthcheck: c?.Healthcheck ? { ...c.Healthcheck, Test: c.Healthcheck.Test ?? null } : null,
    ExposedPorts: c?.ExposedPorts ?? {},
    WorkingDir: c?.WorkingDir ?? '',
    Labels: c?.Labels ?? {},
  };
}

export function parseConfigBlob(bytes: Buffer | string, what: string): ConfigBlob {
  const parsed = ConfigBlobSchema.safeParse(JSON.parse(bytes.toString()));
  if (!parsed.success)
    throw new Error(
      `${what} is not an image config: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  return parsed.data;
}

/** The engine's view of an image (GET /images/{id}/json), the fields the harness reads. */
export const InspectSchema = z.object({
  Id: z.string(),
  Architecture: z.string(),
  Os: z.string(),
  Variant: z.string().optional(),
  Size: z.number(),
  Config: RunConfig,
  RootFS: z.object({ Type: z.string(), Layers: z.array(z.string()).nullish() }),
  /** Storage driver and its dirs (overlay2: UpperDir, LowerDir); read by the overlay2 layer reader. */
  GraphDriver: z.object({ Name: z.string(), Data: z.record(z.string(), z.string()).nullish() }).nullish(),
});
export type Inspect = z.infer<typeof InspectSchema>;

/**
 * A config rebuilt from inspect and history, for images whose layers are all cached but whose config blob is
 * not (e.g. the same layers under another User). History from the engine is newest first; the blob's is oldest.
 */
export function configFromEngine(inspect: Inspect, history: readonly { CreatedBy?: string }[]): ConfigBlob {
  const items: HistoryItem[] = [...history].reverse().map((h) => ({ created_by: h.CreatedBy ?? '' }));
  return {
    architecture: inspect.Architecture,
    os: inspect.Os,
    ...(inspect.Variant && { variant: inspect.Variant }),
    config: inspect.Config,
    rootfs: { type: inspect.RootFS.Type, diff_ids: inspect.RootFS.Layers ?? [] },
    history: items,
  };
}
