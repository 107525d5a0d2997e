import { z } from 'zod';
import { PlatformSchema } from '../model/platform.ts';
import { HealthSchemaName } from '../model/runtime-facts.ts';

const port = z.number().int().min(1).max(65535);
const absPath = z.string().startsWith('/', { message: 'must be an absolute path starting with /' });
const budget = z.object({
  firstHealthyResponseMs: z.number().int().positive(),
  dockerHealthyMs: z.number().int().positive(),
  /** An own-container run lasts at least this long from its start before "still running" is judged. */
  survivesMs: z.number().int().positive().default(8000),
});
const healthcheckTiming = z.object({
  intervalMs: z.number().int().positive(),
  timeoutMs: z.number().int().positive(),
  retries: z.number().int().positive(),
});

const ServiceSchema = z.object({
  name: z.string().regex(/^[a-z][a-z0-9-]*$/, { message: 'lower-case name such as api-gateway' }),
  port,
  healthPath: absPath,
  extraHealthPaths: z
    .array(
      z.object({
        path: absPath,
        schema: HealthSchemaName,
        /**
         * A path the service may leave out: a 404 passes, any other answer is judged. Contract §1 gives
         * /api/v1/health to blockchain-engine alone; §3 describes its body for all three blockchain apps.
         */
        optional: z.boolean().default(false),
      }),
    )
    .default([]),
  healthSchema: HealthSchemaName,
  /**
   * The value the body at healthPath must give as `service`. Unset: any string. Contract §3 names it for the
   * gateway and data-chain only; the real blockchain apps are one app answering one body for all three.
   */
  healthService: z.string().min(1).optional(),
  aliases: z.array(z.string().min(1)).min(1),
  /** Values may use ${jwt.secret}, ${url:<service>} and ${peers}; see resolveServiceEnv. */
  env: z.record(z.string(), z.string()).default({}),
  writableDirs: z.array(absPath).default([]),
});
export type Service = z.infer<typeof ServiceSchema>;

/** Stand-ins the project builds itself (fixtures/standins/): `image: "builtin:<name>"`. */
const BUILTIN_STANDINS = ['tor-control', 'mongo-wire', 'redis'] as const;
export type BuiltinStandIn = (typeof BUILTIN_STANDINS)[number];
const BUILTIN_PREFIX = 'builtin:';

/**
 * How the harness knows a stand-in is ready: a TCP connect, an HTTP answer, or the protocol's own greeting
 * (Tor PROTOCOLINFO, Redis PING → PONG, MongoDB hello over OP_MSG).
 */
const ReadinessSchema = z.discriminatedUnion('probe', [
  z.object({ probe: z.literal('tcp') }),
  z.object({
    probe: z.literal('http'),
    path: absPath.default('/'),
    status: z.number().int().min(100).max(599).default(200),
  }),
  /** Set: AUTHENTICATE with this password (else the builtin's TOR_STANDIN_PASSWORD env, else NULL auth). */
  z.object({ probe: z.literal('tor-control'), password: z.string().min(1).optional() }),
  /** Set: AUTH before PING. */
  z.object({ probe: z.literal('redis'), password: z.string().min(1).optional() }),
  z.object({ probe: z.literal('mongo') }),
]);
type Readiness = z.infer<typeof ReadinessSchema>;

/**
 * Infrastructure the real images need and the harness supplies (contract §5): started once per run on the
 * network before the services in `neededBy`, under `aliases`, removed after. `image` is a reference or id the
 * user names (a real mongo or redis from their registry) or `builtin:<name>`, an image the project builds.
 */
const StandInSchema = z.object({
  name: z.string().regex(/^[a-z][a-z0-9-]*$/, { message: 'lower-case name such as tor-proxy' }),
  image: z
    .string()
    .min(1)
    .refine(
      (i) =>
        !i.startsWith(BUILTIN_PREFIX) ||
        (BUILTIN_STANDINS as readonly string[]).includes(i.slice(BUILTIN_PREFIX.length)),
      {
        message: `unknown built-in stand-in (built-in: ${BUILTIN_STANDINS.map((b) => BUILTIN_PREFIX + b).join(', ')})`,
      },
    ),
  aliases: z.array(z.string().min(1)).min(1),
  port,
  env: z.record(z.string(), z.string()).default({}),
  /** Default: the built-in's own protocol greeting; tcp for any other image. */
  ready: ReadinessSchema.optional(),
  readyBudgetMs: z.number().int().positive().default(20_000),
  neededBy: z.array(z.string()).min(1),
});
export type StandIn = z.infer<typeof StandInSchema>;

/** The built-in a stand-in runs, if it runs one. */
export const builtinOf = (s: Pick<StandIn, 'image'>): BuiltinStandIn | undefined =>
  s.image.startsWith(BUILTIN_PREFIX) ? (s.image.slice(BUILTIN_PREFIX.length) as BuiltinStandIn) : undefined;

const BUILTIN_READINESS: Record<BuiltinStandIn, Readiness> = {
  'tor-control': { probe: 'tor-control' },
  'mongo-wire': { probe: 'mongo' },
  redis: { probe: 'redis' },
};

/** The readiness probe of a stand-in: its own, else its built-in's greeting, else a TCP connect. */
export function readinessOf(s: StandIn): Readiness {
  if (s.ready) return s.ready;
  const b = builtinOf(s);
  return b ? BUILTIN_READINESS[b] : { probe: 'tcp' };
}

const flowBudget = z.object({
  /** Anchoring accepted → status confirmed. */
  confirmMs: z.number().int().positive(),
  /** A stopped/started service (or storage) seen by the mesh, the gateway and data-chain's health. */
  discoveryMs: z.number().int().positive(),
  /** A restarted container answering its health path again. */
  restartMs: z.number().int().positive(),
  /** One request. */
  requestMs: z.number().int().positive(),
  /** Between two polls. */
  pollMs: z.number().int().positive(),
});

/** A gateway route: `<prefix>/rest` reaches `service` at `<upstreamPrefix>/rest`. */
const GatewayRoute = z.object({ prefix: absPath, service: z.string().min(1), upstreamPrefix: absPath });

/**
 * What the flows assume about the services (contract §4), as data: the users whose permissions the apps know,
 * the API paths the flows call, the gateway's routes and the dependency names its health lists, and the budgets.
 */
const FlowsSchema = z.object({
  users: z
    .object({
      full: z.string().min(1).default('blockchain_user'),
      readOnly: z.string().min(1).default('readonly_user'),
      /** A user with read and write but not admin (§4: api_user): its writes must be accepted. */
      write: z.string().min(1).default('api_user'),
    })
    .prefault({}),
  api: z
    .object({
      chunks: absPath.default('/api/v1/chunks'),
      merkleBuild: absPath.default('/api/v1/merkle/build'),
      merkleVerify: absPath.default('/api/v1/merkle/verify'),
      anchorSession: absPath.default('/api/v1/anchoring/session'),
      anchorVerify: absPath.default('/api/v1/anchoring/verify'),
      transactions: absPath.default('/api/v1/transactions/'),
      /** `{height}` and `{block_id}` are filled in. */
      blockByHeight: absPath.default('/api/v1/blocks/height/{height}'),
      blockById: absPath.default('/api/v1/blocks/{block_id}'),
      /** The newest block (§4.7; the real code shadows it with blockById). */
      blockLatest: absPath.default('/api/v1/blocks/latest'),
      meshServices: absPath.default('/services'),
    })
    .prefault({}),
  gateway: z
    .object({
      routes: z.array(GatewayRoute).default([
        { prefix: '/api/v1/anchoring', service: 'session-anchoring', upstreamPrefix: '/api/v1/anchoring' },
        { prefix: '/api/v1/blocks', service: 'block-manager', upstreamPrefix: '/api/v1/blocks' },
        { prefix: '/api/v1/data-chain', service: 'data-chain', upstreamPrefix: '/api/v1' },
      ]),
      /**
       * The names the gateway's health `dependencies` is judged on (§3 names none). `required`: what the flows can
       * justify, the services it routes to (§4.9); they must be listed and follow a stop and a restart (the service
       * the fault flow stops is required whatever this says). `optional`: judged only when listed, and `unknown`
       * passes: the contract does not oblige the gateway to watch them.
       */
      dependencies: z.preprocess(
        // The earlier shape, a plain list of names, still reads: those names are required.
        (v) => (Array.isArray(v) ? { required: v } : v),
        z
          .object({
            required: z.array(z.string().min(1)).default(['session-anchoring', 'block-manager', 'data-chain']),
            optional: z.array(z.string().min(1)).default(['blockchain-engine']),
          })
          .prefault({}),
      ),
    })
    .prefault({}),
  /**
   * data-chain's storage (contract §3): the URL in this env var of data-chain names it; the storage fault
   * stops and starts the stand-in answering to that URL's host.
   */
  storage: z.object({ env: z.string().min(1).default('MONGODB_URL') }).prefault({}),
  /** The stack instance (stack.extraInstances) the flows use as the data-chain hashing with SHA-256. */
  sha256DataChain: z.string().min(1).default('data-chain-sha256'),
  budgets: z.object({ native: flowBudget, emulated: flowBudget }).default({
    native: { confirmMs: 20_000, discoveryMs: 20_000, restartMs: 20_000, requestMs: 10_000, pollMs: 100 },
    emulated: { confirmMs: 90_000, discoveryMs: 90_000, restartMs: 90_000, requestMs: 30_000, pollMs: 250 },
  }),
});
export type FlowsContract = z.infer<typeof FlowsSchema>;

/**
 * Extra containers of the shared stack: another instance of a service's image under its own name (its network
 * alias too) with extra env, started alongside the services. The flows' SHA-256 data-chain is one.
 */
const StackInstanceSchema = z.object({
  name: z.string().regex(/^[a-z][a-z0-9-]*$/, { message: 'lower-case name such as data-chain-sha256' }),
  of: z.string().min(1),
  env: z.record(z.string(), z.string()).default({}),
});

/**
 * The shared stack of a platform: every contract service of the plan (one image each) plus these instances.
 * A platform whose plan lacks a contract service gets no shared stack (its images run in their own containers).
 */
const StackSchema = z.object({
  extraInstances: z
    .array(StackInstanceSchema)
    .default([{ name: 'data-chain-sha256', of: 'data-chain', env: { DATA_CHAIN_HASH_ALGORITHM: 'SHA256' } }]),
});

const diffId = z.string().regex(/^sha256:[0-9a-f]{64}$/, { message: 'a layer diff_id such as sha256:<64 hex>' });

/** The base the summary claims (contract §2, `distroless-base`). */
const BaseSchema = z.object({
  image: z.string(),
  /** The base's interpreter: Entrypoint and HEALTHCHECK must run this file (through its symlinks), not a copy. */
  python: absPath,
  endOfSupport: z.string().optional(),
  /** What /etc/os-release must say: `name` inside PRETTY_NAME or NAME, `id` as ID (or in ID_LIKE), and the version. */
  osRelease: z
    .object({
      name: z.string().min(1).default('Distroless'),
      id: z.string().min(1).default('debian'),
      versionId: z.string().min(1).default('12'),
      /** Also accepted for the version: VERSION_CODENAME, or "(bookworm)" in VERSION. */
      codename: z.string().min(1).default('bookworm'),
    })
    .prefault({}),
  /** When set for a platform: the image's first layers must be exactly these (the base's own diff_ids, bottom first). */
  diffIds: z.partialRecord(PlatformSchema, z.array(diffId).min(1)).optional(),
});

/**
 * Secret files a user accepts (contract §2, `no-secret-files`): an entry with `path` accepts that file (a `*` in it
 * matches within one path segment, `**` across segments), with `fingerprint` that secret wherever it is (the value
 * no-secret-files prints, "sha256:<16 hex>"); with both, only that secret in those files.
 */
const SecretFilesSchema = z.object({
  allow: z
    .array(
      z
        .object({
          path: absPath.optional(),
          fingerprint: z
            .string()
            .regex(/^sha256:[0-9a-f]{16}$/, { message: 'a fingerprint as no-secret-files prints it: sha256:<16 hex>' })
            .optional(),
          reason: z.string().optional(),
        })
        .refine((a) => a.path !== undefined || a.fingerprint !== undefined, {
          message: 'an allow entry needs a path, a fingerprint or both',
        }),
    )
    .default([]),
});

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
    base: BaseSchema,
    network: z.object({
      name: z.string().min(1),
      subnet: z.string().regex(/^\d+\.\d+\.\d+\.\d+\/\d+$/, { message: 'CIDR such as 172.20.0.0/16' }),
      gateway: z.string().regex(/^\d+\.\d+\.\d+\.\d+$/, { message: 'IPv4 address' }),
    }),
    forbiddenFiles: z.object({ shells: z.array(z.string()), packageManagers: z.array(z.string()) }),
    secrets: z.object({ allow: z.array(z.string()).default([]) }),
    secretFiles: SecretFilesSchema.prefault({}),
    budgets: z.object({ native: budget, emulated: budget }),
    runtimeHealthcheck: z.object({ native: healthcheckTiming, emulated: healthcheckTiming }),
    /**
     * The hardened run's tmpfs on /tmp and on each service's other writableDirs (uid/gid of the contract user added). The
     * default is the real compose's `/tmp:noexec,nosuid,size=100m` (docker-compose.core.yml): no tighter, so a correct
     * image is not failed for a cap the deployment does not set, and no looser (noexec), so one that executes from
     * /tmp does not pass here and fail on the Pi.
     */
    hardened: z
      .object({
        tmpfsOptions: z.string().min(1).default('rw,noexec,nosuid,nodev,size=100m'),
        /** The other writable dirs (/app/logs): bind mounts in the real compose, so no size cap and exec allowed. */
        writableDirOptions: z.string().min(1).default('rw,nosuid,nodev'),
      })
      .prefault({}),
    jwt: z.object({ secretEnv: z.string(), secret: z.string().min(1) }),
    services: z.array(ServiceSchema).min(1),
    standIns: z.array(StandInSchema).default([]),
    stack: StackSchema.prefault({}),
    flows: FlowsSchema.prefault({}),
  })
  .superRefine((c, ctx) => {
    const seen = new Set<string>();
    c.services.forEach((s, i) => {
      if (seen.has(s.name))
        ctx.addIssue({ code: 'custom', path: ['services', i, 'name'], message: `duplicate service ${s.name}` });
      seen.add(s.name);
    });
    const aliasOwner = new Map<string, string>(
      c.services.flatMap((s) => s.aliases.map((a) => [a, `service ${s.name}`] as const)),
    );
    c.stack.extraInstances.forEach((x, i) => {
      if (!seen.has(x.of))
        ctx.addIssue({
          code: 'custom',
          path: ['stack', 'extraInstances', i, 'of'],
          message: `"${x.of}" is not a contract service (services: ${[...seen].join(', ')})`,
        });
      const owner = aliasOwner.get(x.name) ?? (seen.has(x.name) ? `service ${x.name}` : undefined);
      if (owner)
        ctx.addIssue({
          code: 'custom',
          path: ['stack', 'extraInstances', i, 'name'],
          message: `"${x.name}" is already ${owner}'s`,
        });
      aliasOwner.set(x.name, `stack instance ${x.name}`);
    });
    if (!c.stack.extraInstances.some((x) => x.name === c.flows.sha256DataChain)) {
      ctx.addIssue({
        code: 'custom',
        path: ['flows', 'sha256DataChain'],
        message: `"${c.flows.sha256DataChain}" is not a stack instance (stack.extraInstances: ${c.stack.extraInstances.map((x) => x.name).join(', ') || 'none'})`,
      });
    }
    const standInNames = new Set<string>();
    c.standIns.forEach((x, i) => {
      if (standInNames.has(x.name))
        ctx.addIssue({ code: 'custom', path: ['standIns', i, 'name'], message: `duplicate stand-in ${x.name}` });
      standInNames.add(x.name);
      x.neededBy.forEach((n, j) => {
        if (!seen.has(n))
          ctx.addIssue({
            code: 'custom',
            path: ['standIns', i, 'neededBy', j],
            message: `"${n}" is not a contract service (services: ${[...seen].join(', ')})`,
          });
      });
      // One name on one network resolving to two containers would send a service to either at random.
      x.aliases.forEach((a, j) => {
        const owner = aliasOwner.get(a);
        if (owner)
          ctx.addIssue({
            code: 'custom',
            path: ['standIns', i, 'aliases', j],
            message: `alias "${a}" is already ${owner}'s`,
          });
        aliasOwner.set(a, `stand-in ${x.name}`);
      });
    });
  });
export type Contract = z.infer<typeof ContractSchema>;
