// Pure readers of the mesh listing and the gateway's dependency map (contract §3, §4.10). The mesh may answer
// in any of the shapes the contract allows; each is read into one map name → status.
import { isObject } from './exchange.ts';
import { show } from './expect.ts';
import type { StepFinding } from './steps.ts';

export type Health = 'healthy' | 'unhealthy';

/** A status as a service listing gives it: a string, or an object with status/health/state, or healthy: bool. */
function statusOf(v: unknown): string | undefined {
  if (typeof v === 'string') return v.toLowerCase();
  if (!isObject(v)) return undefined;
  for (const k of ['status', 'health', 'state']) if (typeof v[k] === 'string') return (v[k] as string).toLowerCase();
  if (typeof v['healthy'] === 'boolean') return v['healthy'] ? 'healthy' : 'unhealthy';
  return undefined;
}

const nameOf = (e: Record<string, unknown>): string | undefined =>
  ['name', 'service', 'service_name', 'id']
    .map((k) => e[k])
    .find((v): v is string => typeof v === 'string' && v !== '');

function fromListOrMap(v: unknown): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  if (Array.isArray(v)) {
    for (const e of v) {
      const name = isObject(e) ? nameOf(e) : undefined;
      const s = isObject(e) ? statusOf(e) : undefined;
      if (name && s) out[name] = s;
    }
    return Object.keys(out).length || v.length === 0 ? out : undefined;
  }
  if (isObject(v)) {
    for (const [k, e] of Object.entries(v)) {
      const s = statusOf(e);
      if (s) out[k] = s;
    }
    return out;
  }
  return undefined;
}

/**
 * name → status from mesh GET /services, whichever shape it has: the real controller's
 * {healthy_services: [names], unhealthy_services: [names], service_status: {name: {...}}}, a list of
 * {name, status} (bare or under `services`), or a map name → status or → {status} (bare or under `services`).
 * Undefined when none of these can be read.
 */
export function meshStatuses(body: unknown): Record<string, string> | undefined {
  if (isObject(body) && (Array.isArray(body['healthy_services']) || Array.isArray(body['unhealthy_services']))) {
    const out: Record<string, string> = { ...(fromListOrMap(body['service_status']) ?? {}) };
    for (const n of (body['healthy_services'] as unknown[] | undefined) ?? [])
      if (typeof n === 'string') out[n] = 'healthy';
    for (const n of (body['unhealthy_services'] as unknown[] | undefined) ?? [])
      if (typeof n === 'string') out[n] = 'unhealthy';
    return out;
  }
  if (isObject(body) && 'services' in body) return fromListOrMap(body['services']);
  if (isObject(body) && 'service_status' in body) return fromListOrMap(body['service_status']);
  return fromListOrMap(body);
}

/** name → status from the gateway's /api/v1/meta/health `dependencies`; undefined if absent. */
export function gatewayDependencies(body: unknown): Record<string, string> | undefined {
  if (!isObject(body) || !isObject(body['dependencies'])) return undefined;
  return fromListOrMap(body['dependencies']);
}

/**
 * The words a listing may use for a healthy peer: §4.10 fixes none for the mesh (Consul, which the real mesh
 * fronts, says passing). The gateway's words are its health schema's business.
 */
const HEALTHY_WORDS = new Set(['healthy', 'passing', 'pass', 'up', 'ok']);
/** `healthy` is one of those words; `unhealthy` any other listed status (a stopped peer may show as down or unknown). */
const matches = (seen: string | undefined, want: Health) =>
  seen !== undefined && (want === 'healthy' ? HEALTHY_WORDS.has(seen) : !HEALTHY_WORDS.has(seen));

/**
 * One spelling per service name: the contract does not fix how a listing spells its peers, and the same service
 * is data-chain, data_chain, Data-Chain, datachain, data-chain-service or its repository's lucid-data-chain.
 */
const spelling = (name: string) =>
  name
    .toLowerCase()
    .replace(/[_\s.]+/g, '-')
    .replace(/^lucid-/, '')
    .replace(/-(?:service|svc)$/, '')
    .replace(/-/g, '');

/**
 * Each wanted name is listed with the wanted status; each `optional` name only if it is listed, and for it `unknown`
 * is as good as `healthy` (a peer the lister is not obliged to watch). Other entries are not judged.
 */
export function judgeStatuses(
  seen: Record<string, string> | undefined,
  want: Record<string, Health>,
  where: string,
  optional: Record<string, Health> = {},
): StepFinding[] {
  const opt = Object.entries(optional).filter(([n]) => !(n in want));
  const expected = `${where}: ${[
    ...Object.entries(want).map(([n, s]) => `${n} ${s}`),
    ...opt.map(([n, s]) => `${n} ${s === 'healthy' ? 'healthy or unknown' : s} if listed`),
  ].join(', ')}`;
  if (!seen) return [{ expected, seen: 'no list of services in the answer' }];
  const bySpelling = new Map(Object.entries(seen).map(([n, s]) => [spelling(n), s]));
  const statusOfName = (n: string) => seen[n] ?? bySpelling.get(spelling(n));
  const wrong = [
    ...Object.entries(want).filter(([n, s]) => !matches(statusOfName(n), s)),
    ...opt.filter(([n, s]) => {
      const got = statusOfName(n);
      return got !== undefined && !(s === 'healthy' && got === 'unknown') && !matches(got, s);
    }),
  ];
  if (!wrong.length) return [];
  return [
    {
      expected,
      seen: wrong
        .map(([n]) => `${n} ${statusOfName(n) === undefined ? 'not listed' : show(statusOfName(n))}`)
        .join(', '),
    },
  ];
}

/**
 * What the gateway's `dependencies` must show when every service is `status` (contract data
 * flows.gateway.dependencies): the required names and `stopped`, the service the fault flow stops and restarts,
 * which the gateway must therefore watch; the optional ones only if listed.
 */
export function gatewayDependencyWant(
  deps: { required: readonly string[]; optional: readonly string[] },
  stopped: string,
  status: Health,
): { want: Record<string, Health>; optional: Record<string, Health> } {
  const required = [...new Set([...deps.required, stopped])];
  const each = (names: readonly string[]) =>
    Object.fromEntries(names.map((n) => [n, status])) as Record<string, Health>;
  return { want: each(required), optional: each(deps.optional.filter((n) => !required.includes(n))) };
}
