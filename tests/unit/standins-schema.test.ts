import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { DEFAULT_CONTRACT_FILE, formatIssues, loadContract } from '../../helpers/contract/load.ts';
import { ContractSchema } from '../../helpers/contract/schema.ts';
import { standInEnv, standInsNeeded } from '../../helpers/runtime/standins.ts';

const raw = () => JSON.parse(readFileSync(DEFAULT_CONTRACT_FILE, 'utf8')) as Record<string, unknown>;
const withStandIns = (standIns: unknown[]) => ({ ...raw(), standIns });
const issues = (data: unknown) => {
  const r = ContractSchema.safeParse(data);
  return r.success ? '' : formatIssues(r.error.issues);
};
const tor = { name: 'tor-proxy', kind: 'tor-control', aliases: ['tor-proxy'], neededBy: ['api-gateway'] };

describe('contract standIns', () => {
  test('the default contract declares the Tor control port the real gateway needs (§5)', () => {
    expect(loadContract({}).standIns).toEqual([
      { name: 'tor-proxy', kind: 'tor-control', aliases: ['tor-proxy'], port: 9051, neededBy: ['api-gateway'], settings: { bootstrapProgress: 100 } },
    ]);
  });

  test('port and settings have defaults; a password is kept', () => {
    const c = ContractSchema.parse(withStandIns([tor]));
    expect(c.standIns[0]).toMatchObject({ port: 9051, settings: { bootstrapProgress: 100 } });
    const p = ContractSchema.parse(withStandIns([{ ...tor, settings: { password: 'x', bootstrapProgress: 40 } }]));
    expect(p.standIns[0]!.settings).toEqual({ password: 'x', bootstrapProgress: 40 });
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

  test('unknown kind, bad progress, duplicate names and taken aliases are refused with the field named', () => {
    expect(issues(withStandIns([{ ...tor, kind: 'mongo' }]))).toMatch(/^standIns\.0\.kind: /);
    expect(issues(withStandIns([{ ...tor, settings: { bootstrapProgress: 101 } }]))).toMatch(/^standIns\.0\.settings\.bootstrapProgress: Too big/);
    expect(issues(withStandIns([tor, { ...tor, aliases: ['tor-2'] }]))).toBe('standIns.1.name: duplicate stand-in tor-proxy');
    expect(issues(withStandIns([{ ...tor, aliases: ['data-chain'] }]))).toBe('standIns.0.aliases.0: alias "data-chain" is already service data-chain\'s');
    expect(issues(withStandIns([tor, { ...tor, name: 'tor-2' }]))).toBe('standIns.1.aliases.0: alias "tor-proxy" is already stand-in tor-proxy\'s');
  });

  test('the gateway env points at the declared alias and port', () => {
    const c = loadContract({});
    const gw = c.services.find((s) => s.name === 'api-gateway')!;
    expect([gw.env['TOR_CONTROL_HOST'], gw.env['TOR_CONTROL_PORT']]).toEqual([c.standIns[0]!.aliases[0], String(c.standIns[0]!.port)]);
  });
});

describe('which stand-ins a plan needs, and their env', () => {
  const c = loadContract({});
  test('only when a planned service needs it', () => {
    expect(standInsNeeded(c, ['data-chain']).map((s) => s.name)).toEqual([]);
    expect(standInsNeeded(c, ['data-chain', 'api-gateway']).map((s) => s.name)).toEqual(['tor-proxy']);
    expect(standInsNeeded(c).map((s) => s.name)).toEqual(['tor-proxy']);
  });
  test('settings become the stand-in env', () => {
    expect(standInEnv(c.standIns[0]!)).toEqual({ TOR_STANDIN_PORT: '9051', TOR_STANDIN_BOOTSTRAP: '100' });
    const p = ContractSchema.parse(withStandIns([{ ...tor, port: 9151, settings: { bootstrapProgress: 5, password: 'pw' } }]));
    expect(standInEnv(p.standIns[0]!)).toEqual({ TOR_STANDIN_PORT: '9151', TOR_STANDIN_BOOTSTRAP: '5', TOR_STANDIN_PASSWORD: 'pw' });
  });
});
