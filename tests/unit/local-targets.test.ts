import { expect, test } from 'vitest';
import { LocalImageError, localTargets, parseImageSpecs, platformOfConfig } from '../../helpers/cli/local-targets.ts';
import { loadContract } from '../../helpers/contract/load.ts';

test('--image values: a bare service, or SERVICE=IMAGE', () => {
  expect(parseImageSpecs(['data-chain', 'api-gateway=lucid-api-gateway:dev', 'block-manager=sha256:abc'])).toEqual([
    { service: 'data-chain' },
    { service: 'api-gateway', ref: 'lucid-api-gateway:dev' },
    { service: 'block-manager', ref: 'sha256:abc' },
  ]);
  expect(() => parseImageSpecs(['data-chain='])).toThrow(LocalImageError);
});

test('the platform of a local image comes from its config', () => {
  expect(platformOfConfig({ Os: 'linux', Architecture: 'amd64' })).toBe('linux/amd64');
  expect(platformOfConfig({ Os: 'linux', Architecture: 'arm64', Variant: 'v8' })).toBe('linux/arm64');
  expect(platformOfConfig({ Os: 'linux', Architecture: 'arm64' })).toBe('linux/arm64'); // docker build on a Pi writes no variant
  // containerd's normalisation: arm64 "8" and "v8.0" are v8 too; v9 is another platform.
  expect(platformOfConfig({ Os: 'linux', Architecture: 'arm64', Variant: '8' })).toBe('linux/arm64');
  expect(platformOfConfig({ Os: 'linux', Architecture: 'arm64', Variant: 'v8.0' })).toBe('linux/arm64');
  expect(platformOfConfig({ Os: 'linux', Architecture: 'arm64', Variant: 'v9' })).toBe('linux/arm64/v9');
  expect(platformOfConfig({ Os: 'linux', Architecture: 'arm', Variant: 'v7' })).toBe('linux/arm/v7');
});

test('an image reference with a space is refused before any engine call (node would refuse the request path)', async () => {
  await expect(
    localTargets({ contract: loadContract({}), specs: [{ service: 'data-chain', ref: 'a b' }] }),
  ).rejects.toThrowError(
    '--image data-chain=a b: "a b" is not a valid image reference or id (it holds a space or a control character); see docker images',
  );
});
