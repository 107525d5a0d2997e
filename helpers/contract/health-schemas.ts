import { z } from 'zod';
import type { HealthSchemaName } from '../model/runtime-facts.ts';

// §3 names the values of `status` for the gateway's meta health alone; elsewhere it names the field only, so any
// word a correct service chooses ("ok", "running", "up") is valid. data-chain's 200 must say healthy (§3).
const gatewayStatus = z.enum(['healthy', 'degraded', 'unhealthy']);
const status = z.string().min(1);
const isoTimestamp = z.string().refine((s) => !Number.isNaN(Date.parse(s)) && /^\d{4}-\d{2}-\d{2}T/.test(s), {
  message: 'ISO 8601 timestamp expected',
});
// §3 gives the mesh's `timestamp` no format (the gateway's alone is ISO 8601): epoch seconds (time.time()) and
// Flask's jsonify of a datetime (an HTTP date) and str(datetime) (a space for the T) are as good as isoformat().
const httpDate = /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/;
const spacedIso = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}/;
const anyTimestamp = z.union([
  z.number().nonnegative(),
  z
    .string()
    .refine(
      (s) =>
        isoTimestamp.safeParse(s).success || ((httpDate.test(s) || spacedIso.test(s)) && !Number.isNaN(Date.parse(s))),
      { message: 'a timestamp expected (ISO 8601, an HTTP date, or epoch seconds)' },
    ),
]);

/** Health bodies per contract §3. `service` is checked against services[].healthService separately. */
const healthSchemas: Record<HealthSchemaName, z.ZodType> = {
  gateway: z.object({
    status: gatewayStatus,
    timestamp: isoTimestamp,
    service: z.string(),
    version: z.string().min(1),
    dependencies: z.record(z.string(), z.enum(['healthy', 'unhealthy', 'unknown'])),
    uptime: z.number().nonnegative(),
    response_time: z.number().nonnegative(),
  }),
  basic: z.object({ status, service: z.string() }),
  versioned: z.object({ status, service: z.string(), version: z.string().min(1) }),
  mesh: z.object({ status, service: z.string(), timestamp: anyTimestamp, controller_running: z.boolean() }),
  'data-chain': z.object({
    status: z.literal('healthy'),
    service: z.string(),
    details: z.record(z.string(), z.unknown()),
  }),
};

interface BodyVerdict {
  ok: boolean;
  problems: string[];
}

/** Pure: judges a health body against its schema and, where the contract names one, the service name. */
export function judgeHealthBody(
  schema: HealthSchemaName,
  expectedService: string | undefined,
  body: unknown,
): BodyVerdict {
  const problems: string[] = [];
  const parsed = healthSchemas[schema].safeParse(body);
  if (!parsed.success) {
    for (const i of parsed.error.issues) problems.push(`${i.path.map(String).join('.') || '(body)'}: ${i.message}`);
  }
  const service = (body as { service?: unknown } | null)?.service;
  if (expectedService !== undefined && typeof service === 'string' && service !== expectedService) {
    problems.push(`service: expected "${expectedService}", got "${service}"`);
  }
  return { ok: problems.length === 0, problems };
}
