import type { StaticCheck } from './types.ts';

export const EXPOSED_PORT = 'exposed-port';

/** OCI image-spec ExposedPorts keys are "port/tcp", "port/udp" or "port", the protocol defaulting to tcp. */
const withProtocol = (key: string) => (key.includes('/') ? key.toLowerCase() : `${key}/tcp`);

export const checkExposedPort: StaticCheck = (facts, _contract, service) => {
  const want = `${service.port}/tcp`;
  const ports = Object.keys(facts.config.ExposedPorts);
  if (ports.some((p) => withProtocol(p) === want)) return [];
  return [
    {
      check: EXPOSED_PORT,
      expected: `ExposedPorts contains ${want} (the contract port of ${service.name})`,
      seen: ports.length ? `ExposedPorts holds ${ports.join(', ')}, not ${want}` : 'the image exposes no port',
      where: 'image config: config.ExposedPorts',
    },
  ];
};
