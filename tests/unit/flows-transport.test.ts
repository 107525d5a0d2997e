// The real flows against the third implementation (tests/support/third-lucid.ts) with every service writing its
// answers one way the contract leaves open: each must pass, end to end (http-transport.test.ts takes the same
// choices one request at a time).
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, test } from 'vitest';
import { loadContract } from '../../helpers/contract/load.ts';
import { anchoringEndToEnd } from '../../helpers/flows/anchoring.ts';
import { discoveryAndFaults } from '../../helpers/flows/discovery.ts';
import { gatewayReadBack } from '../../helpers/flows/gateway.ts';
import { Flow } from '../../helpers/flows/context.ts';
import { FlowFailed } from '../../helpers/flows/steps.ts';
import { quickContract, startThird, type Transport } from '../support/third-lucid.ts';

const loaded = loadContract({});
const contract = quickContract(loaded);
const started: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((close) => close()));
});

async function verdict(body: (f: Flow) => Promise<void>, transport: Transport): Promise<string> {
  const third = await startThird(contract, { transport });
  started.push(third.close);
  const f = new Flow(await third.env(), 'third-lucid');
  try {
    await body(f);
    return 'passed';
  } catch (e) {
    if (e instanceof FlowFailed) return `failed at ${e.info.step}: ${e.message}`;
    throw e;
  }
}

const TRANSPORTS: Record<string, Transport> = {
  'application/json; charset=utf-8, Connection: close after every answer': (res, status, text) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', connection: 'close' });
    res.end(text);
  },
  'text/plain, chunked in two pieces': (res, status, text) => {
    res.writeHead(status, { 'content-type': 'text/plain' });
    res.write(text.slice(0, 3));
    res.end(text.slice(3));
  },
  'gzip, though not asked for (no preference: RFC 9110 §12.5.3)': (res, status, text) => {
    res.writeHead(status, { 'content-encoding': 'gzip' });
    res.end(gzipSync(text));
  },
  'a BOM and a trailing newline': (res, status, text) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(`\ufeff${text}\n`);
  },
};

describe('a correct Lucid passes every flow whatever way it writes its answers', () => {
  for (const [name, transport] of Object.entries(TRANSPORTS)) {
    test(name, async () => {
      expect(await verdict(anchoringEndToEnd, transport)).toBe('passed');
      expect(await verdict(gatewayReadBack, transport)).toBe('passed');
      expect(await verdict(discoveryAndFaults, transport)).toBe('passed');
    });
  }
  // The third's own gateway and mesh ask their peers through fetch, which refuses a 1xx it did not ask for: the
  // flow that needs neither.
  test('100 Continue before every answer', async () => {
    const transport: Transport = (res, status, text) => {
      res.writeContinue();
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(text);
    };
    expect(await verdict(anchoringEndToEnd, transport)).toBe('passed');
  });
});

test('the reverse: a data-chain whose 503 is not JSON fails the storage-down step, showing what it said', async () => {
  const transport: Transport = (res, status, text) => {
    const down = status === 503 && text.includes('"unhealthy"');
    res.writeHead(status, { 'content-type': down ? 'text/plain' : 'application/json' });
    res.end(down ? 'storage down' : text);
  };
  expect(await verdict(discoveryAndFaults, transport)).toMatch(
    /failed at health-503-storage-down: [^]*expected: HTTP 503 \{status: "unhealthy"\}[^]*seen: +HTTP 503 storage down/,
  );
});

test('the reverse: a mesh whose /services is not JSON fails discovery, showing what it said', async () => {
  const transport: Transport = (res, status, text) => {
    const listing = text.includes('data-chain') && !text.includes('"service":');
    res.writeHead(status, { 'content-type': listing ? 'text/html' : 'application/json' });
    res.end(listing ? '<html>services</html>' : text);
  };
  expect(await verdict(discoveryAndFaults, transport)).toMatch(
    /failed at mesh-lists-others-healthy: [^]*seen: +no list of services in the answer: HTTP 200 <html>services<\/html>/,
  );
});

/** A Transport that drops one field from every JSON object answer that has `marker`. */
const dropping =
  (marker: string, field: string): Transport =>
  (res, status, text) => {
    let out = text;
    try {
      const body = JSON.parse(text) as Record<string, unknown>;
      if (body && typeof body === 'object' && marker in body) {
        delete body[field];
        out = JSON.stringify(body);
      }
    } catch {
      /* not JSON: as it is */
    }
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(out);
  };

describe('the reverse: an answer without a field §4 names fails the step that reads it, naming the field', () => {
  test('a chunk record without session_id', async () =>
    expect(await verdict(anchoringEndToEnd, dropping('hash_value', 'session_id'))).toMatch(
      /failed at chunk-hashes: [^]*seen: +no session_id \(it has /,
    ));
  test('an anchoring answer without estimated_confirmation_time', async () =>
    expect(
      await verdict(anchoringEndToEnd, dropping('estimated_confirmation_time', 'estimated_confirmation_time')),
    ).toMatch(/failed at anchor-session: [^]*seen: +no estimated_confirmation_time/));
  test('a status without submitted_at', async () =>
    expect(await verdict(anchoringEndToEnd, dropping('confirmed_at', 'submitted_at'))).toMatch(
      /failed at status-confirmed: [^]*no submitted_at/,
    ));
});
