import { z } from 'zod';

export const PLATFORMS = ['linux/amd64', 'linux/arm64'] as const;
export const PlatformSchema = z.enum(PLATFORMS);
export type Platform = z.infer<typeof PlatformSchema>;

export const HealthSchemaName = z.enum(['gateway', 'basic', 'versioned', 'mesh', 'data-chain']);
export type HealthSchemaName = z.infer<typeof HealthSchemaName>;

const port = z.number().int().min(1).max(65535);
const absPath = z.string().startsWith('/', { message: 'must be an absolute path starting with /' });
const budget = z.object({
  firstHealthyResponseMs: z.number().int().positive(),
  dockerHealthyMs: z.number().int().positive(),
});
const healthcheckTiming = z.object({
  intervalMs: z.number().int().positive(),
  timeoutMs: z.number().int().positive(),
  retries: z.number().int().positive(),
});

export const ServiceSchema = z.object({
  name: z.string().regex(/^[a-z][a-z0-9-]*$/, { message: 'lower-case name such as api-gateway' }),
  port,
  healthPath: absPath,
  extraHealthPaths: z.array(z.object({ path: absPath, schema: HealthSchemaName })).default([]),
  healthSchema: HealthSchemaName,
  aliases: z.array(z.string().min(1)).min(1),
  /** Values may use ${jwt.secret}, ${url:<service>} and ${peers}; see resolveServiceEnv. */
  env: z.record(z.string(), z.string()).default({}),
  writableDirs: z.array(absPath).default([]),
});
export type Service = z.infer<typeof ServiceSchema>;

/**
 * Infrastructure the real images need and the harness supplies (contract §5): started once per run on the
 * contract network under `aliases`, for the services in `neededBy`. One kind so far; more join the union.
 */
const TorControlStandIn = z.object({
  name: z.string().regex(/^[a-z][a-z0-9-]*$/, { message: 'lower-case name such as tor-proxy' }),
  kind: z.literal('tor-control'),
  aliases: z.array(z.string().min(1)).min(1),
  port: port.default(9051),
  neededBy: z.array(z.string()).min(1),
  settings: z
    .object({
      /** What GETINFO status/bootstrap-phase reports; below 100 shows a Tor that is not usable yet. */
      bootstrapProgress: z.number().int().min(0).max(100).default(100),
      /** Set: HASHEDPASSWORD auth with this password; unset: NULL auth. */
      password: z.string().min(1).optional(),
    })
    .prefault({}),
});
export const StandInSchema = z.discriminatedUnion('kind', [TorControlStandIn]);
export type StandIn = z.infer<typeof StandInSchema>;

export const ContractSchema = z
  .object({
    version: z.literal(1),
    registry: z.object({
      namespace: z.string().min(1),
      repositoryPrefix: z.string(),
      movingTag: z.string().min(1),
      timestampTagPattern: z.string().min(1),
    }),
    platforms: z.array(PlatformSchema).min(1),
    user: z.object({ uid: z.number().int().nonnegative(), gid: z.number().int().nonnegative() }),
    base: z.object({ image: z.string(), python: absPath, endOfSupport: z.string().optional() }),
    network: z.object({
      name: z.string().min(1),
      subnet: z.string().regex(/^\d+\.\d+\.\d+\.\d+\/\d+$/, { message: 'CIDR such as 172.20.0.0/16' }),
      gateway: z.string().regex(/^\d+\.\d+\.\d+\.\d+$/, { message: 'IPv4 address' }),
    }),
    forbiddenFiles: z.object({ shells: z.array(z.string()), packageManagers: z.array(z.string()) }),
    secrets: z.object({ allow: z.array(z.string()).default([]) }),
    budgets: z.object({ native: budget, emulated: budget }),
    runtimeHealthcheck: z.object({ native: healthcheckTiming, emulated: healthcheckTiming }),
    jwt: z.object({ secretEnv: z.string(), secret: z.string().min(1), userId: z.string().min(1) }),
    services: z.array(ServiceSchema).min(1),
    standIns: z.array(StandInSchema).default([]),
  })
  .superRefine((c, ctx) => {
    const seen = new Set<string>();
    c.services.forEach((s, i) => {
      if (seen.has(s.name)) ctx.addIssue({ code: 'custom', path: ['services', i, 'name'], message: `duplicate service ${s.name}` });
      seen.add(s.name);
    });
    const aliasOwner = new Map<string, string>(c.services.flatMap((s) => s.aliases.map((a) => [a, `service ${s.name}`] as const)));
    const standInNames = new Set<string>();
    c.standIns.forEach((x, i) => {
      if (standInNames.has(x.name)) ctx.addIssue({ code: 'custom', path: ['standIns', i, 'name'], message: `duplicate stand-in ${x.name}` });
      standInNames.add(x.name);
      x.neededBy.forEach((n, j) => {
        if (!seen.has(n)) ctx.addIssue({ code: 'custom', path: ['standIns', i, 'neededBy', j], message: `"${n}" is not a contract service (services: ${[...seen].join(', ')})` });
      });
      // One name on one network resolving to two containers would send a service to either at random.
      x.aliases.forEach((a, j) => {
        const owner = aliasOwner.get(a);
        if (owner) ctx.addIssue({ code: 'custom', path: ['standIns', i, 'aliases', j], message: `alias "${a}" is already ${owner}'s` });
        aliasOwner.set(a, `stand-in ${x.name}`);
      });
    });
  });
export type Contract = z.infer<typeof ContractSchema>;
