// The real flow code (helpers/flows) run against a third, in-process Lucid implementation (tests/support/
// third-lucid.ts) taking the choices the contract (§3–§5) leaves open: each must pass. A §4 defect must fail.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import { loadContract } from '../../helpers/contract/load.ts';
import { anchoringEndToEnd } from '../../helpers/flows/anchoring.ts';
import { authAndValidation } from '../../helpers/flows/auth.ts';
import { discoveryAndFaults } from '../../helpers/flows/discovery.ts';
import { gatewayReadBack } from '../../helpers/flows/gateway.ts';
import { Flow } from '../../helpers/flows/context.ts';
import { FlowFailed } from '../../helpers/flows/steps.ts';
import { quickContract, Raw, startThird, type ThirdOptions } from '../support/third-lucid.ts';

const loaded = loadContract({});
const contract = quickContract(loaded);
const started: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((close) => close()));
});

type Outcome = { ok: true; f: Flow } | { ok: false; f: Flow; step: string; message: string };

async function run(body: (f: Flow) => Promise<void>, o: ThirdOptions = {}): Promise<Outcome> {
  const third = await startThird(contract, o);
  started.push(third.close);
  const f = new Flow(await third.env(), 'third-lucid');
  try {
    await body(f);
    return { ok: true, f };
  } catch (e) {
    if (e instanceof FlowFailed) return { ok: false, f, step: e.info.step, message: e.message };
    throw e;
  }
}

/** 'passed', or where and why it failed (the message shows in the assertion). */
const verdict = (r: Outcome) => (r.ok ? 'passed' : `failed at ${r.step}: ${r.message}`);

describe('the third implementation with the reference choices passes every flow', () => {
  test('anchoring-end-to-end, genesis block 0', async () =>
    expect(verdict(await run(anchoringEndToEnd, { firstHeight: 0 }))).toBe('passed'));
  test('anchoring-end-to-end, first block 1', async () =>
    expect(verdict(await run(anchoringEndToEnd, { firstHeight: 1 }))).toBe('passed'));
  test('auth-and-validation', async () => expect(verdict(await run(authAndValidation))).toBe('passed'));
  test('gateway-read-back (statuses passed through)', async () =>
    expect(verdict(await run(gatewayReadBack))).toBe('passed'));
  test('discovery-and-faults (servers closed and reopened, storage a flag)', async () =>
    expect(verdict(await run(discoveryAndFaults))).toBe('passed'));
});

describe('choices the contract leaves open: a correct implementation passes', () => {
  test('anchor tx data carries merkle_root (the only field §4.7 names) and anchoring_id, not session_id', async () =>
    expect(
      verdict(
        await run(anchoringEndToEnd, {
          anchorData: ({ merkle_root, anchoring_id }) => ({ merkle_root, anchoring_id }),
        }),
      ),
    ).toBe('passed'));
  test('engine: authenticate (401), validate the body (422 for an unknown tx type), then authorize (403)', async () =>
    expect(verdict(await run(authAndValidation, { engineKnownTypesOnly: true }))).toBe('passed'));
  test('gateway dependencies: its three routed upstreams and its own stores, the engine left out', async () =>
    expect(
      verdict(
        await run(discoveryAndFaults, {
          gatewayDependencies: (probe) => ({
            'session-anchoring': probe('session-anchoring'),
            'block-manager': probe('block-manager'),
            'data-chain': probe('data-chain'),
            mongodb: 'healthy',
            redis: 'healthy',
          }),
        }),
      ),
    ).toBe('passed'));
  test("gateway dependencies: the engine it does not route to reported 'unknown'", async () =>
    expect(
      verdict(
        await run(discoveryAndFaults, {
          gatewayDependencies: (probe) => ({
            'session-anchoring': probe('session-anchoring'),
            'block-manager': probe('block-manager'),
            'data-chain': probe('data-chain'),
            'blockchain-engine': 'unknown',
          }),
        }),
      ),
    ).toBe('passed'));
});

describe('anchoring status outside §4.6 (pending, confirmed, failed)', () => {
  test('"processing" (the real code\'s schema) fails status-confirmed, and the message says why', async () => {
    const r = await run(anchoringEndToEnd, { statusWhileWaiting: 'processing' });
    expect(r.ok ? 'passed' : r.step).toBe('status-confirmed');
    expect(r.ok ? '' : r.message).toContain('status "processing" is none of pending, confirmed, failed');
  });
});

describe('proof positions: whose side `position` names is left open (§4.3)', () => {
  test("a service reading it as the running hash's side passes, and still must refuse the tampered proof", async () =>
    expect(verdict(await run(anchoringEndToEnd, { proofPositionIsOwnSide: true }))).toBe('passed'));
  test('a service that ignores the positions fails proof-verifies', async () => {
    const r = await run(anchoringEndToEnd, { proofIgnoresPosition: true });
    expect(r.ok ? 'passed' : r.step).toBe('proof-verifies');
  });
});

describe('the gateway health while a dependency is down', () => {
  // §3 names the status values degraded and unhealthy, and no HTTP status for them: a 503 is as good as a 200.
  test('a 503 with its body (status degraded, data-chain unhealthy) still shows the dependencies', async () =>
    expect(verdict(await run(discoveryAndFaults, { gatewayDegraded503: true }))).toBe('passed'));
  test('a 503 whose body lists no dependencies fails gateway-sees-data-chain-down', async () => {
    const r = await run(discoveryAndFaults, { gatewayDegradedBody: { detail: 'upstream down' } });
    expect(r.ok ? 'passed' : r.step).toBe('gateway-sees-data-chain-down');
  });
});

describe('tx ids are recomputed over the numbers as the service wrote them', () => {
  test('an integral float in the body (fee 0.0, as Python json.dumps writes it)', async () =>
    expect(verdict(await run(anchoringEndToEnd, { txExtra: () => ({ fee: new Raw('0.0') }) }))).toBe('passed'));
  test('an int beyond 2^53 (a time.time_ns() timestamp)', async () =>
    expect(
      verdict(await run(anchoringEndToEnd, { txExtra: () => ({ timestamp_ns: new Raw('1733580123456789012') }) })),
    ).toBe('passed'));
});

describe('where the chain begins', () => {
  test('at block 1, and GET /blocks/height/0 is a validated path (422, not 404)', async () =>
    expect(verdict(await run(anchoringEndToEnd, { firstHeight: 1, heightBelowFirst422: true }))).toBe('passed'));
  test('at a genesis block 0 holding the anchor, its previous_hash not 64 zeros (the contract fixes none for it)', async () => {
    const r = await run(anchoringEndToEnd, { firstHeight: 0, genesisEmpty: false, genesisPrevious: 'genesis' });
    expect(verdict(r)).toBe('passed');
    expect(r.f.run.trail.find((t) => t.step === 'block-by-height')?.requests).toEqual([
      'GET block-manager /api/v1/blocks/height/0',
    ]);
  });
});

describe('a block_id that is a number (the contract fixes no format)', () => {
  test('anchoring-end-to-end asks /blocks/{block_id} for its string form', async () => {
    const r = await run(anchoringEndToEnd, { numericBlockId: true });
    expect(verdict(r)).toBe('passed');
    expect(r.f.run.trail.find((t) => t.step === 'block-by-id')?.requests[0]).toMatch(
      /^GET block-manager \/api\/v1\/blocks\/\d+$/,
    );
  });
  test('gateway-read-back too', async () =>
    expect(verdict(await run(gatewayReadBack, { numericBlockId: true }))).toBe('passed'));
});

describe('the transaction body a tx id hashes', () => {
  test('the block listing adds block_height and status to each entry (not part of the hashed body)', async () =>
    expect(
      verdict(
        await run(anchoringEndToEnd, { listingExtra: ({ height }) => ({ block_height: height, status: 'confirmed' }) }),
      ),
    ).toBe('passed'));
  test('tx ids printed in upper-case hex (the contract says "SHA-256 hex")', async () =>
    expect(verdict(await run(anchoringEndToEnd, { upperTxIds: true }))).toBe('passed'));
});

describe('the gateway: §4.9 asks for routing and field-by-field equal read-backs', () => {
  test('a gateway answering 200 where data-chain said 201 and session-anchoring 202', async () =>
    expect(verdict(await run(gatewayReadBack, { gatewayAlways200: true }))).toBe('passed'));
  test('data-chain keeping one tree per session (a second build of it answers 409)', async () =>
    expect(verdict(await run(gatewayReadBack, { uniqueTreeSession: true }))).toBe('passed'));
});

describe('storage down', () => {
  test('data-chain validating the body first (a session_id must be a UUID) still answers 503 to a chunk', async () =>
    expect(verdict(await run(discoveryAndFaults, { chunkSessionUuid: true }))).toBe('passed'));
});

describe('verify: the anchored root under another session', () => {
  test('a 404 for a session never anchored (instead of verified false)', async () =>
    expect(verdict(await run(anchoringEndToEnd, { verifyUnknownSession404: true }))).toBe('passed'));
});

describe('what is wrong still fails, at its step', { timeout: 15_000 }, () => {
  test('a tree root that ignores the chunks fails tree-root, and gateway-build-tree (judged against the harness tree)', async () => {
    const [direct, gateway] = [
      await run(anchoringEndToEnd, { rootFromSession: true }),
      await run(gatewayReadBack, { rootFromSession: true }),
    ];
    expect([direct.ok || direct.step, gateway.ok || gateway.step]).toEqual(['tree-root', 'gateway-build-tree']);
  });
  test.each([
    ['acceptsAlgNone', 'alg-none-401'],
    ['crashOnMalformedToken', 'malformed-token-401'],
    ['claimsGrant', 'claims-grant-nothing-403'],
    ['writeNeedsAdmin', 'write-user-writes'],
  ] as const)('auth defect %s fails auth-and-validation at %s', async (option, step) => {
    const r = await run(authAndValidation, { [option]: true });
    expect(r.ok ? 'passed' : r.step).toBe(step);
  });
  test('verify answering true for the anchored root under any session fails at verify-other-root', async () => {
    const r = await run(anchoringEndToEnd, { verifyIgnoresSession: true });
    expect(r.ok ? 'passed' : r.step).toBe('verify-other-root');
    expect(r.ok ? '' : r.message).toMatch(/the anchored root under another session/);
  });
  test('/api/v1/blocks/latest shadowed by /{block_id} (the real code) fails anchoring-end-to-end at block-latest', async () => {
    const r = await run(anchoringEndToEnd, { latestShadowed: true });
    expect(r.ok ? 'passed' : r.step).toBe('block-latest');
    expect(r.f.run.trail.at(-1)?.requests).toEqual(['GET block-manager /api/v1/blocks/latest']);
  });
  test('a gateway that does not watch data-chain fails gateway-dependencies-healthy', async () => {
    const r = await run(discoveryAndFaults, {
      gatewayDependencies: (probe) => ({
        'session-anchoring': probe('session-anchoring'),
        'block-manager': probe('block-manager'),
      }),
    });
    expect(r.ok ? 'passed' : r.step).toBe('gateway-dependencies-healthy');
  });
  test('a gateway that calls data-chain healthy while it is stopped fails gateway-sees-data-chain-down', async () => {
    const r = await run(discoveryAndFaults, {
      gatewayDependencies: (probe) => ({
        'session-anchoring': probe('session-anchoring'),
        'block-manager': probe('block-manager'),
        'data-chain': 'healthy',
      }),
    });
    expect(r.ok ? 'passed' : r.step).toBe('gateway-sees-data-chain-down');
  });
});

describe('discovery-and-faults leaves a data-chain it had to start again serving', () => {
  // The still-running judgement follows the flows and wants data-chain's port served: when a step between the stop
  // and the restart failed (here a gateway that never sees data-chain down), the flow's clean-up starts it again, and
  // a correct image still starting (a Python start takes seconds under QEMU) was judged "nothing listens any more".
  test('the clean-up waits until data-chain answers, and the flow still fails for the gateway', async () => {
    const third = await startThird(contract, {
      gatewayDependencies: () => ({
        'data-chain': 'healthy',
        'session-anchoring': 'healthy',
        'block-manager': 'healthy',
      }),
    });
    started.push(third.close);
    const env = await third.env();
    // data-chain's second start: its server listens only 400 ms after the engine says started.
    const late = createServer((_, res) => res.end('{"status":"healthy","service":"data-chain"}'));
    started.push(() => new Promise((r) => late.close(r)));
    const control = env.control;
    env.control = {
      ...control,
      async start(id, port) {
        await control.start(id, port);
        const free = createServer();
        await new Promise<void>((r) => free.listen(0, '127.0.0.1', r));
        const p = (free.address() as AddressInfo).port;
        await new Promise((r) => free.close(r));
        setTimeout(() => late.listen(p, '127.0.0.1'), 400);
        return `http://127.0.0.1:${p}`;
      },
    };
    const f = new Flow(env, 'third-lucid');
    const error = await discoveryAndFaults(f).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FlowFailed);
    expect((error as FlowFailed).info.step).toBe('gateway-sees-data-chain-down');
    expect(late.listening).toBe(true);
  });
});
