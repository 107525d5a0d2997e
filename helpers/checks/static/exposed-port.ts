import type { StaticCheck } from './types.ts';

export const EXPOSED_PORT = 'exposed-port';

export const checkExposedPort: StaticCheck = (facts, _contract, service) => {
  const want = `${service.port}/tcp`;
  const ports = Object.keys(facts.config.ExposedPorts);
  if (ports.includes(want)) return [];
  return [
    {
      check: EXPOSED_PORT,
      expected: `ExposedPorts contains ${want} (the contract port of ${service.name})`,
      seen: ports.length ? `ExposedPorts holds ${ports.join(', ')}, not ${want}` : 'the image exposes no port',
      where: 'image config: config.ExposedPorts',
    },
  ];
};
