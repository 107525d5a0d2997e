// Which platforms the flow suite runs, its tokens and budgets, and the readers of the mesh and gateway.
import { describe, expect, test } from 'vitest';
import { loadContract } from '../../helpers/contract/load.ts';
import { decodeJwt, verifyJwtSignature } from '../../helpers/crypto/index.ts';
import { flowBudgets } from '../../helpers/flows/budgets.ts';
import { gatewayDependencies, judgeStatuses, meshStatuses } from '../../helpers/flows/discovery-checks.ts';
import { FLOW_SERVICES, flowGroups } from '../../helpers/flows/roles.ts';
import { flowTokens } from '../../helpers/flows/tokens.ts';
import type { ImageTarget } from '../../helpers/runtime/start-service.ts';

const contract = loadContract({});
const t = (service: string, platform: ImageTarget['platform']): ImageTarget => ({ service, platform, image: `sha256:${service}`, label: service });

describe('flow groups', () => {
  test('every contract service plays a part in the flows', () => expect([...FLOW_SERVICES].sort()).toEqual(contract.services.map((s) => s.name).sort()));
  test('one group per platform with all six, in the order the flows use them', () => {
    const targets = [...[...FLOW_SERVICES].reverse().map((s) => t(s, 'linux/arm64')), ...FLOW_SERVICES.map((s) => t(s, 'linux/amd64'))];
    const { groups, skipped } = flowGroups(targets);
    expect(groups.map((g) => g.platform)).toEqual(['linux/arm64', 'linux/amd64']);
    expect(groups[0]!.targets.map((x) => x.service)).toEqual([...FLOW_SERVICES]);
    expect(skipped).toEqual([]);
  });
  test('a platform lacking a service or with two images for one is skipped with the reason', () => {
    const { groups, skipped } = flowGroups([t('data-chain', 'linux/amd64'), ...FLOW_SERVICES.map((s) => t(s, 'linux/arm64')), t('data-chain', 'linux/arm64')]);
    expect(groups).toEqual([]);
    expect(skipped).toEqual([
      { platform: 'linux/amd64', reason: 'lacks api-gateway, service-mesh-controller, blockchain-engine, session-anchoring, block-manager' },
      { platform: 'linux/arm64', reason: 'has more than one image for data-chain' },
    ]);
  });
});

describe('tokens and budgets', () => {
  test('tokens are HS256 with the contract secret and user; read-only is limited; the bad one does not verify', () => {
    const k = flowTokens(contract, 1_700_000_000);
    expect(verifyJwtSignature(k.user, contract.jwt.secret)).toBe(true);
    expect(decodeJwt(k.user).payload).toMatchObject({ user_id: contract.jwt.userId, iat: 1_700_000_000, exp: 1_700_000_000 + 4 * 3600 });
    expect(decodeJwt(k.readOnly).payload['permissions']).toEqual(['read']);
    expect(verifyJwtSignature(k.badSignature, contract.jwt.secret)).toBe(false);
    expect(decodeJwt(k.badSignature).payload).toEqual(decodeJwt(k.user).payload);
  });
  test('emulated budgets come from the contract and are longer', () => {
    const [n, e] = [flowBudgets(contract, false), flowBudgets(contract, true)];
    expect(n.confirmMs).toBe(contract.budgets.native.firstHealthyResponseMs);
    expect(e.confirmMs).toBe(contract.budgets.emulated.firstHealthyResponseMs);
    expect(e.requestMs).toBeGreaterThan(n.requestMs);
  });
});

describe('mesh and gateway listings', () => {
  const mesh = { services: [{ name: 'data-chain', status: 'healthy' }, { name: 'block-manager', status: 'unhealthy' }], count: 2 };
  test('mesh /services is an object holding the list', () => {
    expect(meshStatuses(mesh)).toEqual({ 'data-chain': 'healthy', 'block-manager': 'unhealthy' });
    expect(meshStatuses([{ name: 'x' }])).toBeUndefined();
  });
  test('gateway dependencies map', () => {
    expect(gatewayDependencies({ dependencies: { 'data-chain': 'unknown' } })).toEqual({ 'data-chain': 'unknown' });
    expect(gatewayDependencies({ status: 'healthy' })).toBeUndefined();
  });
  test('judged only for the names asked about, listing each wrong one', () => {
    const seen = meshStatuses(mesh);
    expect(judgeStatuses(seen, { 'data-chain': 'healthy' }, 'mesh /services')).toEqual([]);
    expect(judgeStatuses(seen, { 'data-chain': 'unhealthy', 'block-manager': 'unhealthy', 'api-gateway': 'healthy' }, 'mesh /services')).toEqual([
      { expected: 'mesh /services: data-chain unhealthy, block-manager unhealthy, api-gateway healthy', received: 'data-chain "healthy", api-gateway not listed' },
    ]);
    expect(judgeStatuses(undefined, { x: 'healthy' }, 'gateway dependencies')[0]?.received).toBe('no list of services in the answer');
  });
});
