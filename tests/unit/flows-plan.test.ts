// Which platforms the flow suite runs, its tokens and budgets, and the readers of the mesh and gateway.
import { describe, expect, test } from 'vitest';
import { loadContract } from '../../helpers/contract/load.ts';
import { decodeJwt, verifyJwtSignature } from '../../helpers/crypto/jwt.ts';
import { flowBudgets } from '../../helpers/flows/budgets.ts';
import {
  gatewayDependencies,
  gatewayDependencyWant,
  judgeStatuses,
  meshStatuses,
} from '../../helpers/flows/discovery-checks.ts';
import { FLOW_SERVICES, missingRoles } from '../../helpers/flows/roles.ts';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stackGroups, stackMembers } from '../../helpers/runtime/stack.ts';
import { flowTokens } from '../../helpers/flows/tokens.ts';
import type { ImageTarget } from '../../helpers/model/target.ts';

const contract = loadContract({});
/** The default contract with one profile given as an object (written to a file, as a user would). */
const load = (profile: object) => {
  const file = join(mkdtempSync(join(tmpdir(), 'lucid-profile-')), 'p.json');
  writeFileSync(file, JSON.stringify(profile));
  return loadContract({ overrides: [file] });
};
const t = (service: string, platform: ImageTarget['platform']): ImageTarget => ({
  service,
  platform,
  image: `sha256:${service}`,
  label: service,
});

describe('stack groups (the stack the contract declares)', () => {
  test('every flow role is a service of the default contract', () => expect(missingRoles(contract)).toEqual([]));
  test('one group per platform with every contract service, in contract order', () => {
    const names = contract.services.map((s) => s.name);
    const targets = [...[...names].reverse().map((s) => t(s, 'linux/arm64')), ...names.map((s) => t(s, 'linux/amd64'))];
    const { groups, skipped } = stackGroups(contract, targets);
    expect(groups.map((g) => g.platform)).toEqual(['linux/arm64', 'linux/amd64']);
    expect(groups[0]!.targets.map((x) => x.service)).toEqual(names);
    expect(skipped).toEqual([]);
  });
  test('a platform lacking a service or with two images for one is skipped with the reason', () => {
    const { groups, skipped } = stackGroups(contract, [
      t('data-chain', 'linux/amd64'),
      ...FLOW_SERVICES.map((s) => t(s, 'linux/arm64')),
      t('data-chain', 'linux/arm64'),
    ]);
    expect(groups).toEqual([]);
    expect(skipped).toEqual([
      {
        platform: 'linux/amd64',
        reason: 'lacks api-gateway, service-mesh-controller, blockchain-engine, session-anchoring, block-manager',
      },
      { platform: 'linux/arm64', reason: 'has more than one image for data-chain' },
    ]);
  });
  test('the members are the services plus the extra instances of the contract (the SHA-256 data-chain)', () => {
    const members = stackMembers(
      contract,
      FLOW_SERVICES.map((s) => t(s, 'linux/amd64')),
    );
    expect(members.map((m) => m.name)).toEqual([...FLOW_SERVICES, 'data-chain-sha256']);
    const extra = members.at(-1)!;
    expect(extra).toMatchObject({
      instanceOf: 'data-chain',
      aliases: ['data-chain-sha256'],
      extraEnv: { DATA_CHAIN_HASH_ALGORITHM: 'SHA256' },
    });
    expect(extra.target.image).toBe('sha256:data-chain');
  });
  test('a seventh service in a profile joins the stack; a platform without it gets none', () => {
    const seven = load({
      services: [
        { name: 'session-api', port: 8090, healthPath: '/health', healthSchema: 'basic', aliases: ['session-api'] },
      ],
    });
    const all = [...FLOW_SERVICES, 'session-api'];
    const { groups, skipped } = stackGroups(seven, [
      ...all.map((s) => t(s, 'linux/amd64')),
      ...FLOW_SERVICES.map((s) => t(s, 'linux/arm64')),
    ]);
    expect(groups.map((g) => [g.platform, g.targets.map((x) => x.service)])).toEqual([['linux/amd64', all]]);
    expect(skipped).toEqual([{ platform: 'linux/arm64', reason: 'lacks session-api' }]);
    expect(stackMembers(seven, groups[0]!.targets).map((m) => m.name)).toEqual([...all, 'data-chain-sha256']);
  });
  test('an extra instance of an unknown service, or one the flows name but the stack lacks, is refused', () => {
    expect(() => load({ stack: { extraInstances: [{ name: 'x-2', of: 'nope' }] } })).toThrow(
      /stack\.extraInstances\.0\.of: "nope" is not a contract service/,
    );
    expect(() => load({ stack: { extraInstances: [] } })).toThrow(
      /flows\.sha256DataChain: "data-chain-sha256" is not a stack instance/,
    );
    expect(() =>
      load({
        stack: {
          extraInstances: [
            { name: 'service-mesh', of: 'data-chain' },
            { name: 'data-chain-sha256', of: 'data-chain' },
          ],
        },
      }),
    ).toThrow(/already service service-mesh-controller's/);
  });
});

describe('tokens and budgets', () => {
  test('tokens are HS256 with the contract secret and user; read-only is limited; the bad one does not verify', async () => {
    const k = await flowTokens(contract, 1_700_000_000);
    expect(await verifyJwtSignature(k.user, contract.jwt.secret)).toBe(true);
    expect(decodeJwt(k.user).payload).toMatchObject({
      user_id: contract.flows.users.full,
      iat: 1_700_000_000,
      exp: 1_700_000_000 + 4 * 3600,
    });
    // Permissions come from the user alone (contract §4): the read-only token names readonly_user and nothing else.
    expect(decodeJwt(k.readOnly).payload).toMatchObject({ user_id: 'readonly_user' });
    expect(decodeJwt(k.readOnly).payload['permissions']).toBeUndefined();
    expect(await verifyJwtSignature(k.badSignature, contract.jwt.secret)).toBe(false);
    expect(decodeJwt(k.badSignature).payload).toEqual(decodeJwt(k.user).payload);
  });
  test('the tokens the auth flow expects refused: alg none, malformed, and claims that ask for write', async () => {
    const k = await flowTokens(contract, 1_700_000_000);
    const none = decodeJwt(k.algNone);
    expect([none.header, none.payload, none.signature.length]).toEqual([{ alg: 'none' }, decodeJwt(k.user).payload, 0]);
    for (const t of k.malformed) expect(() => decodeJwt(t)).toThrow();
    // Signed like the others and naming the read-only user: only claims that must not count ask for more.
    expect(await verifyJwtSignature(k.readOnlyClaimingWrite, contract.jwt.secret)).toBe(true);
    expect(decodeJwt(k.readOnlyClaimingWrite).payload).toMatchObject({
      user_id: 'readonly_user',
      permissions: ['read', 'write', 'admin'],
      scope: 'write',
    });
  });
  test('emulated budgets come from the contract and are longer', () => {
    const [n, e] = [flowBudgets(contract, false), flowBudgets(contract, true)];
    expect(n.confirmMs).toBe(contract.flows.budgets.native.confirmMs);
    expect(e.confirmMs).toBe(contract.flows.budgets.emulated.confirmMs);
    expect(e.requestMs).toBeGreaterThan(n.requestMs);
  });
});

describe('mesh and gateway listings', () => {
  const mesh = {
    services: [
      { name: 'data-chain', status: 'healthy' },
      { name: 'block-manager', status: 'unhealthy' },
    ],
    count: 2,
  };
  test('mesh /services is an object holding the list', () => {
    expect(meshStatuses(mesh)).toEqual({ 'data-chain': 'healthy', 'block-manager': 'unhealthy' });
    expect(meshStatuses([{ name: 'x' }])).toBeUndefined();
  });
  test('every mesh shape the contract allows reads the same', () => {
    const want = { 'data-chain': 'healthy', 'block-manager': 'unhealthy' };
    // The real controller's shape.
    expect(
      meshStatuses({
        total_services: 2,
        healthy_services: ['data-chain'],
        unhealthy_services: ['block-manager'],
        service_status: { 'data-chain': { url: 'x' } },
      }),
    ).toEqual(want);
    expect(
      meshStatuses([
        { name: 'data-chain', status: 'healthy' },
        { name: 'block-manager', status: 'unhealthy' },
      ]),
    ).toEqual(want);
    expect(meshStatuses({ 'data-chain': 'healthy', 'block-manager': 'unhealthy' })).toEqual(want);
    expect(
      meshStatuses({ services: { 'data-chain': { status: 'HEALTHY' }, 'block-manager': { status: 'unhealthy' } } }),
    ).toEqual(want);
    expect(
      meshStatuses({ service_status: { 'data-chain': { healthy: true }, 'block-manager': { healthy: false } } }),
    ).toEqual(want);
    expect(meshStatuses('nope')).toBeUndefined();
  });
  test('unhealthy is any listed status but healthy; missing or healthy fails', () => {
    expect(judgeStatuses({ a: 'down' }, { a: 'unhealthy' }, 'mesh')).toEqual([]);
    expect(judgeStatuses({ a: 'healthy' }, { a: 'unhealthy' }, 'mesh')).toHaveLength(1);
    expect(judgeStatuses({}, { a: 'unhealthy' }, 'mesh')[0]!.seen).toContain('not listed');
    expect(judgeStatuses({ a: 'degraded' }, { a: 'healthy' }, 'mesh')).toHaveLength(1);
    // The same service by another spelling: case, underscores, its repository's lucid- prefix.
    const listed = { Data_Chain: 'healthy', 'lucid-block-manager': 'down', api_gateway: 'healthy' };
    expect(
      judgeStatuses(
        listed,
        { 'data-chain': 'healthy', 'block-manager': 'unhealthy', 'api-gateway': 'healthy' },
        'mesh',
      ),
    ).toEqual([]);
    expect(judgeStatuses(listed, { 'block-manager': 'healthy' }, 'mesh')[0]!.seen).toBe('block-manager "down"');
    // Consul's words (passing, critical) and more spellings: datachain, block-manager-service.
    const consul = { datachain: 'passing', 'block-manager-service': 'critical', 'API.Gateway': 'ok' };
    expect(
      judgeStatuses(
        consul,
        { 'data-chain': 'healthy', 'block-manager': 'unhealthy', 'api-gateway': 'healthy' },
        'mesh',
      ),
    ).toEqual([]);
    expect(judgeStatuses(consul, { 'data-chain': 'unhealthy' }, 'mesh')).toHaveLength(1);
    expect(judgeStatuses(consul, { 'block-manager': 'healthy' }, 'mesh')).toHaveLength(1);
  });
  test('gateway dependencies map', () => {
    expect(gatewayDependencies({ dependencies: { 'data-chain': 'unknown' } })).toEqual({ 'data-chain': 'unknown' });
    expect(gatewayDependencies({ status: 'healthy' })).toBeUndefined();
  });
  test('judged only for the names asked about, listing each wrong one', () => {
    const seen = meshStatuses(mesh);
    expect(judgeStatuses(seen, { 'data-chain': 'healthy' }, 'mesh /services')).toEqual([]);
    expect(
      judgeStatuses(
        seen,
        { 'data-chain': 'unhealthy', 'block-manager': 'unhealthy', 'api-gateway': 'healthy' },
        'mesh /services',
      ),
    ).toEqual([
      {
        expected: 'mesh /services: data-chain unhealthy, block-manager unhealthy, api-gateway healthy',
        seen: 'data-chain "healthy", api-gateway not listed',
      },
    ]);
    expect(judgeStatuses(undefined, { x: 'healthy' }, 'gateway dependencies')[0]?.seen).toBe(
      'no list of services in the answer',
    );
  });
});

describe("the gateway's dependencies (§3 names none; §4.9 routes to three; §4.10 stops data-chain)", () => {
  const deps = contract.flows.gateway.dependencies;
  const healthy = gatewayDependencyWant(deps, 'data-chain', 'healthy');
  const judge = (dependencies: Record<string, string>) =>
    judgeStatuses(gatewayDependencies({ dependencies }), healthy.want, 'gateway dependencies', healthy.optional);
  const routed = { 'session-anchoring': 'healthy', 'block-manager': 'healthy', 'data-chain': 'healthy' };
  test('required: the routed services (contract data); optional: the engine', () =>
    expect(healthy).toEqual({
      want: routed,
      optional: { 'blockchain-engine': 'healthy' },
    }));
  test('the three routed upstreams and its own stores, no engine, is healthy', () =>
    expect(judge({ ...routed, mongodb: 'healthy', redis: 'healthy', tor: 'healthy' })).toEqual([]));
  test("the engine it does not route to reported 'unknown' (an allowed value) is healthy", () =>
    expect(judge({ ...routed, 'blockchain-engine': 'unknown' })).toEqual([]));
  test('an optional name listed as unhealthy, or a routed one missing, is wrong', () => {
    expect(judge({ ...routed, 'blockchain-engine': 'unhealthy' })).toEqual([
      {
        expected:
          'gateway dependencies: session-anchoring healthy, block-manager healthy, data-chain healthy, blockchain-engine healthy or unknown if listed',
        seen: 'blockchain-engine "unhealthy"',
      },
    ]);
    const { 'data-chain': _, ...two } = routed;
    expect(judge(two)[0]?.seen).toBe('data-chain not listed');
  });
  test('the service the fault flow stops is required, whatever the data says', () =>
    expect(
      gatewayDependencyWant({ required: [], optional: ['data-chain', 'blockchain-engine'] }, 'data-chain', 'healthy'),
    ).toEqual({ want: { 'data-chain': 'healthy' }, optional: { 'blockchain-engine': 'healthy' } }));
});

describe('API paths from the contract', () => {
  test('placeholders are filled and encoded; a missing one is named', async () => {
    const { apiPath } = await import('../../helpers/flows/api.ts');
    expect(apiPath(contract, 'blockByHeight', { height: 3 })).toBe('/api/v1/blocks/height/3');
    expect(apiPath(contract, 'blockById', { block_id: 'a/b' })).toBe('/api/v1/blocks/a%2Fb');
    expect(() => apiPath(contract, 'blockById')).toThrow(/\{block_id\}/);
  });
  test('gateway routes map a service path, stripping the upstream prefix', async () => {
    const { viaGateway } = await import('../../helpers/flows/api.ts');
    expect(viaGateway(contract, 'data-chain', '/api/v1/chunks')).toBe('/api/v1/data-chain/chunks');
    expect(viaGateway(contract, 'block-manager', '/api/v1/blocks/height/2')).toBe('/api/v1/blocks/height/2');
    expect(() => viaGateway(contract, 'blockchain-engine', '/api/v1/transactions/')).toThrow(
      /no route to blockchain-engine/,
    );
  });
});
