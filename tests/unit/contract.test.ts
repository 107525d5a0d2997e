import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import {
  ContractError,
  fromEnv,
  loadContract,
  mergeContract,
  resolveServiceEnv,
  serviceNamed,
} from '../../helpers/contract/load.ts';

const tmp = mkdtempSync(join(tmpdir(), 'lucid-contract-'));
const write = (name: string, data: unknown) => {
  const f = join(tmp, name);
  writeFileSync(f, typeof data === 'string' ? data : JSON.stringify(data));
  return f;
};

describe('contract catalog', () => {
  test('default contract: six services, the summary ports', () => {
    const c = loadContract({});
    expect(c.services.map((s) => [s.name, s.port])).toEqual([
      ['api-gateway', 8080],
      ['service-mesh-controller', 8500],
      ['blockchain-engine', 8084],
      ['session-anchoring', 8085],
      ['block-manager', 8086],
      ['data-chain', 8087],
    ]);
    expect(c.network).toEqual({ name: 'lucid-pi-network', subnet: '172.20.0.0/16', gateway: '172.20.0.1' });
  });

  test('the real-mesh-8088 profile moves only the mesh port', () => {
    const base = loadContract({});
    const c = loadContract({ overrides: ['real-mesh-8088'] });
    expect(serviceNamed(c, 'service-mesh-controller').port).toBe(8088);
    expect(serviceNamed(c, 'service-mesh-controller').aliases).toEqual(['service-mesh-controller', 'service-mesh']);
    expect(c.services.filter((s) => s.name !== 'service-mesh-controller')).toEqual(
      base.services.filter((s) => s.name !== 'service-mesh-controller'),
    );
  });

  test('peer URLs follow an overridden port', () => {
    const c = loadContract({ overrides: [write('dc.json', { services: [{ name: 'data-chain', port: 9999 }] })] });
    expect(resolveServiceEnv(c, serviceNamed(c, 'session-anchoring')).DATA_CHAIN_URL).toBe('http://data-chain:9999');
    expect(resolveServiceEnv(c, serviceNamed(c, 'service-mesh-controller')).MESH_SERVICES).toContain(
      'data-chain=http://data-chain:9999/health',
    );
  });

  test('gateway dependencies: required and optional names; a plain list (the earlier shape) is the required names', () => {
    expect(loadContract({}).flows.gateway.dependencies).toEqual({
      required: ['session-anchoring', 'block-manager', 'data-chain'],
      optional: ['blockchain-engine'],
    });
    const list = write('deps.json', { flows: { gateway: { dependencies: ['data-chain', 'mongodb'] } } });
    expect(loadContract({ overrides: [list] }).flows.gateway.dependencies.required).toEqual(['data-chain', 'mongodb']);
  });

  test('an invalid override is refused with a message naming the field', () => {
    const bad = write('bad.json', { services: [{ name: 'data-chain', port: 70000 }] });
    expect(() => loadContract({ overrides: [bad] })).toThrowError(ContractError);
    expect(() => loadContract({ overrides: [bad] })).toThrowError(/services\.5\.port: .*65535/);
  });

  test('an unknown key (a typo) is refused, naming it; _ keys are comments; the old dependencies list still reads', () => {
    const typo = write('typo.json', { budgets: { native: { firstHealthyResponsMs: 5 } }, bogusTop: 1 });
    expect(() => loadContract({ overrides: [typo] })).toThrowError(
      /typo\.json\): budgets\.native\.firstHealthyResponsMs: unknown key; bogusTop: unknown key \(a typo\?/,
    );
    const inService = write('svc.json', { services: [{ name: 'data-chain', prot: 8087 }] });
    expect(() => loadContract({ overrides: [inService] })).toThrowError(/services\.5\.prot: unknown key/);
    const commented = write('c.json', { _comment: 'x', budgets: { native: { _why: 'y', survivesMs: 7000 } } });
    expect(loadContract({ overrides: [commented] }).budgets.native.survivesMs).toBe(7000);
    expect(() => loadContract({ overrides: ['real-mesh-8088', 'reference-base-pinned'] })).not.toThrow();
  });

  test('a missing or malformed file is one clear error', () => {
    expect(() => loadContract({ overrides: ['no-such-profile'] })).toThrowError(
      /contract file not found: .*no-such-profile\.json/,
    );
    expect(() => loadContract({ file: write('x.json', '{nope') })).toThrowError(/not valid JSON/);
  });

  test('unknown service names list the known ones', () => {
    expect(() => serviceNamed(loadContract({}), 'mesh')).toThrowError(
      /unknown service "mesh"; the contract has: api-gateway, /,
    );
  });

  test('merge: objects by key, services by name, other arrays replaced, _comments dropped', () => {
    const merged = mergeContract(
      { a: { b: 1, c: 2 }, platforms: ['x', 'y'], services: [{ name: 'n', port: 1, env: { A: '1' } }] },
      { _comment: 'x', a: { c: 3 }, platforms: ['z'], services: [{ name: 'n', env: { B: '2' } }, { name: 'm' }] },
    );
    expect(merged).toEqual({
      a: { b: 1, c: 3 },
      platforms: ['z'],
      services: [{ name: 'n', port: 1, env: { A: '1', B: '2' } }, { name: 'm' }],
    });
  });

  test('env selects file and profiles', () => {
    expect(fromEnv({ LUCID_CONTRACT: '/x.json', LUCID_PROFILE: 'a, b' })).toEqual({
      file: '/x.json',
      overrides: ['a', 'b'],
    });
  });
});
