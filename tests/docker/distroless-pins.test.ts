/**
 * distroless-base with the base pinned by layer diff_ids: the reference images pass on both platforms, an arm64 image
 * on the amd64 base fails. The pins are read at test time from the built reference base and given as a profile file
 * (so a local lock override, which changes the base layer, cannot make this test lie); the committed profile
 * reference-base-pinned must hold the same diff_ids (the base builds are deterministic from the committed lock).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { loadContract, serviceNamed } from '../../helpers/contract/load.ts';
import type { Platform } from '../../helpers/model/platform.ts';
import { checkDistrolessBase } from '../../helpers/checks/static/distroless-base.ts';
import { docker } from '../../helpers/engine/docker.ts';
import { gatherImageFacts } from '../../helpers/facts/gather.ts';
import { ensureBaseImage } from '../../fixtures/base/image.ts';
import { ensureDefectImages } from '../../fixtures/defects/index.ts';
import { ensureReferenceImages } from '../../fixtures/reference.ts';

const dir = mkdtempSync(join(tmpdir(), 'lucid-pins-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const log = (l: string) => console.error(l);

test('pinned base diff_ids: reference images pass on both platforms, an arm64 image on the amd64 base fails', async () => {
  const contract = loadContract({});
  const pins: Partial<Record<Platform, string[]>> = {};
  for (const p of contract.platforms) {
    const base = await ensureBaseImage(p, { log });
    pins[p] = (await docker().getImage(base.id).inspect()).RootFS.Layers ?? [];
  }
  const profile = join(dir, 'pins.json');
  writeFileSync(profile, JSON.stringify({ base: { diffIds: pins } }));
  const pinnedNow = loadContract({ overrides: [profile] });
  const committed = loadContract({ overrides: ['reference-base-pinned'] });
  expect(
    committed.base.diffIds,
    'contract/profiles/reference-base-pinned.json is stale: put the built base diff_ids there',
  ).toEqual(pins);

  const refs = await ensureReferenceImages({
    contract,
    services: contract.services.map((s) => s.name),
    platforms: contract.platforms,
    log,
  });
  for (const t of refs) {
    const facts = await gatherImageFacts(t.image, { platform: t.platform });
    expect(facts.diffIds.slice(0, pins[t.platform]!.length)).toEqual(pins[t.platform]);
    expect(checkDistrolessBase(facts, pinnedNow, serviceNamed(contract, t.service), t.platform), t.label).toEqual([]);
  }

  const [defect] = await ensureDefectImages({
    contract,
    names: ['amd64-under-arm64'],
    platforms: ['linux/arm64'],
    log,
  });
  const facts = await gatherImageFacts(defect!.image, { platform: 'linux/arm64' });
  const service = serviceNamed(contract, defect!.service);
  expect(
    checkDistrolessBase(facts, contract, service, 'linux/arm64'),
    'unpinned: the amd64 base says Distroless too',
  ).toEqual([]);
  const found = checkDistrolessBase(facts, pinnedNow, service, 'linux/arm64');
  expect(found.map((f) => f.seen)).toEqual([
    `layer 0 is ${pins['linux/amd64']![0]!.slice(7, 19)}, the pinned base has ${pins['linux/arm64']![0]!.slice(7, 19)}`,
  ]);
}, 600_000);
