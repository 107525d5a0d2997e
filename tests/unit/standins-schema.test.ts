import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { DEFAULT_CONTRACT_FILE, formatIssues, loadContract, serviceNamed } from '../../helpers/contract/load.ts';
import { builtinOf, ContractSchema, readinessOf } from '../../helpers/contract/schema.ts';
import { standInEnv, standInForUrl, standInsNeeded } from '../../helpers/runtime/standins.ts';
import { redisArgs } from '../../fixtures/standins/image.ts';

const raw = () => JSON.parse(readFileSync(DEFAULT_CONTRACT_FILE, 'utf8')) as Record<string, unknown>;
const withStandIns = (standIns: unknown[]) => ({ ...raw(), standIns });
const issues = (data: unknown) => {
  const r = ContractSchema.safeParse(data);
  return r.success ? '' : formatIssues(r.error.issues);
};
const tor = {
  name: 'tor-proxy',
  image: 'builtin:tor-control',
  aliases: ['tor-proxy'],
  port: 9051,
  neededBy: ['api-gateway'],
};

describe('contract standIns', () => {
  test('the default contract declares Tor, the Mongo wire stand-in and Redis (§5), each with its probe', () => {
    const c = loadContract({});
    expect(c.standIns.map((s) => [s.name, s.image, s.aliases, s.port, readinessOf(s).probe])).toEqual([
      ['tor-proxy', 'builtin:tor-control', ['tor-proxy'], 9051, 'tor-control'],
      ['mongo', 'builtin:mongo-wire', ['lucid-mongo-standin'], 27017, 'mongo'],
      ['redis', 'builtin:redis', ['lucid-redis-standin'], 6379, 'redis'],
    ]);
    expect(c.standIns[0]!.env).toEqual({ TOR_STANDIN_BOOTSTRAP: '100' });
  });

  test('every service naming MONGODB_URL or REDIS_URL gets the stand-in answering to its host', () => {
    const c = loadContract({});
    for (const svc of c.services) {
      for (const [env, name] of [
        ['MONGODB_URL', 'mongo'],
        ['REDIS_URL', 'redis'],
      ] as const) {
        const url = svc.env[env];
        if (!url) continue;
        const s = standInForUrl(c, url);
        expect(s?.name, `${svc.name} ${env}`).toBe(name);
        expect(s!.neededBy, `${svc.name} ${env}`).toContain(svc.name);
        expect(new URL(url).port).toBe(String(s!.port));
      }
    }
    expect(standInForUrl(c, serviceNamed(c, 'data-chain').env['MONGODB_URL'])?.name).toBe('mongo');
    expect(standInForUrl(c, 'mongodb://elsewhere:27017/x')).toBeUndefined();
    expect(standInForUrl(c, 'not a url')).toBeUndefined();
  });

  test('defaults: env empty, readiness from the built-in (tcp for any other image), a 20 s budget', () => {
    const c = ContractSchema.parse(
      withStandIns([tor, { name: 'db', image: 'mongo:7', aliases: ['db'], port: 27017, neededBy: ['data-chain'] }]),
    );
    expect(c.standIns[0]).toMatchObject({ env: {}, readyBudgetMs: 20_000 });
    expect(readinessOf(c.standIns[0]!)).toEqual({ probe: 'tor-control' });
    expect(builtinOf(c.standIns[1]!)).toBeUndefined();
    expect(readinessOf(c.standIns[1]!)).toEqual({ probe: 'tcp' });
    const h = ContractSchema.parse(withStandIns([{ ...tor, ready: { probe: 'http' } }]));
    expect(h.standIns[0]!.ready).toEqual({ probe: 'http', path: '/', status: 200 });
  });

  test('absent: no stand-ins', () => {
    const { standIns: _, ...rest } = raw();
    expect(ContractSchema.parse(rest).standIns).toEqual([]);
  });

  test('neededBy must name contract services', () => {
    expect(issues(withStandIns([{ ...tor, neededBy: ['api-gateway', 'gateway'] }]))).toBe(
      'standIns.0.neededBy.1: "gateway" is not a contract service (services: api-gateway, service-mesh-controller, blockchain-engine, session-anchoring, block-manager, data-chain)',
    );
    expect(issues(withStandIns([{ ...tor, neededBy: [] }]))).toMatch(/^standIns\.0\.neededBy: Too small/);
  });

  test('unknown built-in, unknown probe, duplicate names and taken aliases are refused with the field named', () => {
    expect(issues(withStandIns([{ ...tor, image: 'builtin:postgres' }]))).toBe(
      'standIns.0.image: unknown built-in stand-in (built-in: builtin:tor-control, builtin:mongo-wire, builtin:redis)',
    );
    expect(issues(withStandIns([{ ...tor, ready: { probe: 'smtp' } }]))).toMatch(/^standIns\.0\.ready\.probe: /);
    expect(issues(withStandIns([{ ...tor, ready: { probe: 'http', status: 700 } }]))).toMatch(
      /^standIns\.0\.ready\.status: Too big/,
    );
    expect(issues(withStandIns([{ ...tor, port: undefined }]))).toMatch(/^standIns\.0\.port: /);
    expect(issues(withStandIns([tor, { ...tor, aliases: ['tor-2'] }]))).toBe(
      'standIns.1.name: duplicate stand-in tor-proxy',
    );
    expect(issues(withStandIns([{ ...tor, aliases: ['data-chain'] }]))).toBe(
      'standIns.0.aliases.0: alias "data-chain" is already service data-chain\'s',
    );
    expect(issues(withStandIns([tor, { ...tor, name: 'tor-2' }]))).toBe(
      'standIns.1.aliases.0: alias "tor-proxy" is already stand-in tor-proxy\'s',
    );
  });

  test('the gateway env points at the declared alias and port', () => {
    const c = loadContract({});
    const gw = c.services.find((s) => s.name === 'api-gateway')!;
    expect([gw.env['TOR_CONTROL_HOST'], gw.env['TOR_CONTROL_PORT']]).toEqual([
      c.standIns[0]!.aliases[0],
      String(c.standIns[0]!.port),
    ]);
  });

  test('a profile replaces a built-in by a user image by name, keeping the rest', async () => {
    const { mergeContract } = await import('../../helpers/contract/load.ts');
    const merged = mergeContract(
      raw() as never,
      { standIns: [{ name: 'mongo', image: 'registry.example/mongo:7.0', ready: { probe: 'mongo' } }] } as never,
    );
    const c = ContractSchema.parse(merged);
    expect(c.standIns.find((s) => s.name === 'mongo')).toMatchObject({
      image: 'registry.example/mongo:7.0',
      aliases: ['lucid-mongo-standin'],
      port: 27017,
    });
  });
});

describe('which stand-ins a plan needs, and their env', () => {
  const c = loadContract({});
  test('only when a planned service needs it', () => {
    expect(standInsNeeded(c, ['service-mesh-controller']).map((s) => s.name)).toEqual([]);
    expect(standInsNeeded(c, ['data-chain']).map((s) => s.name)).toEqual(['mongo']);
    expect(standInsNeeded(c, ['data-chain', 'api-gateway']).map((s) => s.name)).toEqual([
      'tor-proxy',
      'mongo',
      'redis',
    ]);
    expect(standInsNeeded(c).map((s) => s.name)).toEqual(['tor-proxy', 'mongo', 'redis']);
  });
  test("a built-in's port goes to its env or its arguments; the contract env is added", () => {
    expect(standInEnv(c.standIns[0]!)).toEqual({ TOR_STANDIN_PORT: '9051', TOR_STANDIN_BOOTSTRAP: '100' });
    expect(standInEnv(c.standIns[1]!)).toEqual({ MONGO_STANDIN_PORT: '27017' });
    expect(standInEnv(c.standIns[2]!)).toEqual({});
    expect(redisArgs(6380).slice(0, 2)).toEqual(['--port', '6380']);
    const p = ContractSchema.parse(
      withStandIns([{ ...tor, port: 9151, env: { TOR_STANDIN_BOOTSTRAP: '5', TOR_STANDIN_PASSWORD: 'pw' } }]),
    );
    expect(standInEnv(p.standIns[0]!)).toEqual({
      TOR_STANDIN_PORT: '9151',
      TOR_STANDIN_BOOTSTRAP: '5',
      TOR_STANDIN_PASSWORD: 'pw',
    });
    const u = ContractSchema.parse(
      withStandIns([
        { name: 'db', image: 'mongo:7', aliases: ['db'], port: 27017, env: { A: 'b' }, neededBy: ['data-chain'] },
      ]),
    );
    expect(standInEnv(u.standIns[0]!)).toEqual({ A: 'b' });
  });
});

describe("the README's stand-in profile", () => {
  test('is a valid override of the default contract: real images replace the built-ins by name, a new one is added', async () => {
    const { mergeContract, PROJECT_ROOT } = await import('../../helpers/contract/load.ts');
    const readme = readFileSync(`${PROJECT_ROOT}/README.md`, 'utf8');
    const m = /cat > real-infra\.json <<'JSON'\n([\s\S]*?)\nJSON\n/.exec(readme);
    expect(m, 'the README shows the profile').toBeTruthy();
    const c = ContractSchema.parse(mergeContract(raw() as never, JSON.parse(m![1]!) as never));
    expect(c.standIns.map((s) => [s.name, s.image, readinessOf(s).probe])).toEqual([
      ['tor-proxy', 'builtin:tor-control', 'tor-control'],
      ['mongo', 'registry.example:5000/mongo:7.0', 'mongo'],
      ['redis', 'registry.example:5000/redis:7.2', 'redis'],
      ['vault', 'registry.example:5000/vault:1.15', 'http'],
    ]);
    expect(standInEnv(c.standIns[2]!)).toEqual({}); // no built-in arguments for a user's redis
  });
});
