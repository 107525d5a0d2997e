// The API paths the flows call, from the contract (contract.flows.api), and how the gateway's routes map a
// service's own path to the gateway's (contract.flows.gateway.routes).
import type { Contract } from '../contract/schema.ts';

export type ApiName = keyof Contract['flows']['api'];

/** A contract path with its `{name}` placeholders filled in (URL-encoded). */
export function apiPath(contract: Contract, name: ApiName, vars: Record<string, string | number> = {}): string {
  return contract.flows.api[name].replace(/\{([a-z_]+)\}/g, (_m, k: string) => {
    if (!(k in vars)) throw new Error(`contract flows.api.${name} uses {${k}}, which this request does not fill`);
    return encodeURIComponent(String(vars[k]));
  });
}

/** The gateway path that reaches `service` at `path`, by the contract's routes; an error names what is missing. */
export function viaGateway(contract: Contract, service: string, path: string): string {
  for (const r of contract.flows.gateway.routes) {
    if (r.service !== service) continue;
    if (path === r.upstreamPrefix || path.startsWith(`${r.upstreamPrefix}/`))
      return `${r.prefix}${path.slice(r.upstreamPrefix.length)}`;
  }
  throw new Error(`the contract's gateway routes (flows.gateway.routes) have no route to ${service} ${path}`);
}
