import { readFileSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ContractSchema, type Contract, type Service } from './schema.ts';

export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const DEFAULT_CONTRACT_FILE = join(PROJECT_ROOT, 'contract/lucid.contract.json');
export const PROFILES_DIR = join(PROJECT_ROOT, 'contract/profiles');

export class ContractError extends Error {}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
const isObject = (v: unknown): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Objects merge key by key; the services and standIns arrays merge by name; other arrays are replaced. */
export function mergeContract(base: Json, over: Json, key = ''): Json {
  if ((key === 'services' || key === 'standIns') && Array.isArray(base) && Array.isArray(over)) {
    const merged = base.map((s) => s);
    for (const o of over) {
      const name = isObject(o) ? o['name'] : undefined;
      const i = merged.findIndex((s) => isObject(s) && s['name'] === name);
      if (i >= 0) merged[i] = mergeContract(merged[i]!, o);
      else merged.push(o);
    }
    return merged;
  }
  if (isObject(base) && isObject(over)) {
    const out: Record<string, Json> = { ...base };
    for (const [k, v] of Object.entries(over)) {
      if (k.startsWith('_')) continue;
      out[k] = k in base ? mergeContract(base[k]!, v, k) : v;
    }
    return out;
  }
  return over;
}

function readJson(file: string): Json {
  if (!existsSync(file)) throw new ContractError(`contract file not found: ${file}`);
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Json;
  } catch (e) {
    throw new ContractError(`contract file ${file} is not valid JSON: ${(e as Error).message}`);
  }
}

export function profileFile(profile: string): string {
  if (profile.includes('/') || profile.endsWith('.json')) return resolve(profile);
  return join(PROFILES_DIR, `${profile}.json`);
}

export interface ContractSource {
  /** A full contract replacing the default. */
  file?: string;
  /** Partial overrides applied in order: profile names (contract/profiles/<name>.json) or paths. */
  overrides?: string[];
}

/** One line per zod issue, naming the field, e.g. "services.1.port: Too big: expected number to be <=65535". */
export function formatIssues(issues: readonly { path: PropertyKey[]; message: string }[]): string {
  return issues.map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`).join('; ');
}

/**
 * Keys of the input the schema dropped (zod objects strip what they do not know): a typo in a profile, say
 * budgets.native.firstHealthyResponsMs, would otherwise change nothing, silently. Keys starting with _ are comments.
 */
export function unknownKeys(input: unknown, output: unknown, path: string[] = []): string[] {
  if (Array.isArray(input) && Array.isArray(output))
    return input.flatMap((v, i) => unknownKeys(v, output[i], [...path, String(i)]));
  if (!isObject(input) || !isObject(output)) return [];
  return Object.entries(input).flatMap(([k, v]) =>
    k.startsWith('_') ? [] : k in output ? unknownKeys(v, output[k], [...path, k]) : [[...path, k].join('.')],
  );
}

export function loadContract(source: ContractSource = fromEnv()): Contract {
  let data = readJson(source.file ?? DEFAULT_CONTRACT_FILE);
  const applied: string[] = [];
  for (const o of source.overrides ?? []) {
    const file = profileFile(o);
    data = mergeContract(data, readJson(file));
    applied.push(file);
  }
  const parsed = ContractSchema.safeParse(data);
  if (!parsed.success) {
    const where = [source.file ?? DEFAULT_CONTRACT_FILE, ...applied].join(' + ');
    throw new ContractError(`invalid contract (${where}): ${formatIssues(parsed.error.issues)}`);
  }
  const unknown = unknownKeys(data, parsed.data);
  if (unknown.length) {
    const where = [source.file ?? DEFAULT_CONTRACT_FILE, ...applied].join(' + ');
    throw new ContractError(
      `invalid contract (${where}): ${unknown.map((k) => `${k}: unknown key`).join('; ')} (a typo? keys starting with _ are comments)`,
    );
  }
  return parsed.data;
}

/** LUCID_CONTRACT=file, LUCID_PROFILE=name[,name...] */
export function fromEnv(env: NodeJS.ProcessEnv = process.env): ContractSource {
  return {
    file: env.LUCID_CONTRACT || undefined,
    overrides: (env.LUCID_PROFILE ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  };
}

export function serviceNamed(contract: Contract, name: string): Service {
  const s = contract.services.find((x) => x.name === name);
  if (!s)
    throw new ContractError(
      `unknown service "${name}"; the contract has: ${contract.services.map((x) => x.name).join(', ')}`,
    );
  return s;
}

export function serviceUrl(contract: Contract, name: string): string {
  const s = serviceNamed(contract, name);
  return `http://${s.aliases[0]}:${s.port}`;
}

/**
 * Expands ${jwt.secret}, ${url:<service>} (its base URL, http://<first alias>:<port>) and ${peers}: every other
 * service as name=<health URL>, comma-separated (api-gateway=http://api-gateway:8080/api/v1/meta/health,…).
 */
export function resolveServiceEnv(contract: Contract, service: Service): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(service.env)) {
    out[k] = v.replace(/\$\{([^}]+)\}/g, (_m, expr: string) => {
      if (expr === 'jwt.secret') return contract.jwt.secret;
      if (expr === 'peers') {
        return contract.services
          .filter((s) => s.name !== service.name)
          .map((s) => `${s.name}=${serviceUrl(contract, s.name)}${s.healthPath}`)
          .join(',');
      }
      if (expr.startsWith('url:')) return serviceUrl(contract, expr.slice(4));
      throw new ContractError(`service ${service.name}: env ${k} uses unknown placeholder \${${expr}}`);
    });
  }
  return out;
}

export function repositoryOf(contract: Contract, service: Service): string {
  return `${contract.registry.namespace}/${contract.registry.repositoryPrefix}${service.name}`;
}
