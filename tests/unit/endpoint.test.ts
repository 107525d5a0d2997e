import { describe, expect, test } from 'vitest';
import { engineEndpoint } from '../../helpers/engine/endpoint.ts';

describe('engine endpoint', () => {
  test('default socket is local, ports on loopback', () =>
    expect(engineEndpoint({})).toEqual({ url: 'unix:///var/run/docker.sock', local: true, publishHost: '127.0.0.1' }));
  test('tcp engine: ports on its host, not local', () =>
    expect(engineEndpoint({ DOCKER_HOST: 'tcp://192.0.2.10:2376' })).toMatchObject({
      local: false,
      publishHost: '192.0.2.10',
    }));
  test('a forwarded socket is remote', () =>
    expect(
      engineEndpoint({ DOCKER_HOST: 'unix:///tmp/pi.sock', LUCID_ENGINE_REMOTE: '1', LUCID_PUBLISH_HOST: '127.0.0.1' }),
    ).toMatchObject({ local: false, publishHost: '127.0.0.1' }));
  test('localhost becomes 127.0.0.1', () =>
    expect(engineEndpoint({ DOCKER_HOST: 'tcp://localhost:2375' }).publishHost).toBe('127.0.0.1'));
});
