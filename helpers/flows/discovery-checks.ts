// Pure readers of the mesh listing and the gateway's dependency map (contract §3, §4.10).
import { isObject } from './exchange.ts';
import { show } from './expect.ts';
import type { Problem } from './checks.ts';

export type Health = 'healthy' | 'unhealthy';

/** name → status from mesh GET /services ({services: [{name, status}, …]}); undefined if not that shape. */
export function meshStatuses(body: unknown): Record<string, string> | undefined {
  if (!isObject(body) || !Array.isArray(body['services'])) return undefined;
  const out: Record<string, string> = {};
  for (const e of body['services']) if (isObject(e) && typeof e['name'] === 'string') out[e['name']] = String(e['status']);
  return out;
}

/** name → status from the gateway's /api/v1/meta/health `dependencies`; undefined if absent. */
export function gatewayDependencies(body: unknown): Record<string, string> | undefined {
  if (!isObject(body) || !isObject(body['dependencies'])) return undefined;
  return Object.fromEntries(Object.entries(body['dependencies']).map(([k, v]) => [k, String(v)]));
}

/** Each wanted name is listed with the wanted status (other entries are not judged). */
export function judgeStatuses(seen: Record<string, string> | undefined, want: Record<string, Health>, where: string): Problem[] {
  const expected = `${where}: ${Object.entries(want).map(([n, s]) => `${n} ${s}`).join(', ')}`;
  if (!seen) return [{ expected, received: 'no list of services in the answer' }];
  const wrong = Object.entries(want).filter(([n, s]) => seen[n] !== s);
  if (!wrong.length) return [];
  return [{ expected, received: wrong.map(([n]) => `${n} ${seen[n] === undefined ? 'not listed' : show(seen[n])}`).join(', ') }];
}
