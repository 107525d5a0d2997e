import type { Finding } from '../../model/finding.ts';
import { judgeArgv } from './program.ts';
import type { StaticCheck } from './types.ts';

export const HEALTHCHECK = 'healthcheck';
const URL_IN_TEXT = /\bhttps?:\/\/[^\s'"`)\]}>,;]+/g;

function probedUrls(args: readonly string[]): string[] {
  return args.flatMap((a) => a.match(URL_IN_TEXT) ?? []);
}

/**
 * HEALTHCHECK must be exec form (distroless has no shell for CMD-SHELL), its program must exist, and the URL it
 * probes must be the contract port and health path. A probe whose URL is not visible in Test (e.g. built inside
 * a script) is reported: the contract asks for a probe the harness can confirm.
 */
export const checkHealthcheck: StaticCheck = (facts, _contract, service) => {
  const test = facts.config.Healthcheck?.Test ?? [];
  const where = `image config: config.Healthcheck.Test ${JSON.stringify(test)}`;
  const wantUrl = `port ${service.port}, path ${service.healthPath}`;
  if (!test.length)
    return [
      {
        check: HEALTHCHECK,
        expected: 'a HEALTHCHECK in exec form (CMD)',
        seen: 'the image has no HEALTHCHECK',
        where: 'image config: config.Healthcheck',
      },
    ];
  const [form, ...rest] = test;
  if (form === 'NONE')
    return [
      {
        check: HEALTHCHECK,
        expected: 'a HEALTHCHECK in exec form (CMD)',
        seen: 'HEALTHCHECK NONE: health checking is switched off',
        where,
      },
    ];
  const out: Finding[] = [];
  if (form === 'CMD-SHELL') {
    out.push({
      check: HEALTHCHECK,
      expected: 'Healthcheck.Test in exec form ["CMD", program, ...]',
      seen: `shell form CMD-SHELL: Docker runs it with /bin/sh -c, and a distroless image has no shell, so the check can never pass`,
      where,
    });
  } else if (form === 'CMD') {
    if (!rest.length)
      out.push({
        check: HEALTHCHECK,
        expected: 'Healthcheck.Test ["CMD", program, ...]',
        seen: 'CMD with no program',
        where,
      });
    out.push(...judgeArgv(facts, rest, HEALTHCHECK, 'config.Healthcheck.Test[1..]'));
  } else {
    out.push({
      check: HEALTHCHECK,
      expected: 'Healthcheck.Test starting with "CMD"',
      seen: `Test starts with "${form}"`,
      where,
    });
  }

  const urls = probedUrls(rest);
  if (!urls.length) {
    out.push({
      check: HEALTHCHECK,
      expected: `the probe's URL visible in Healthcheck.Test (${wantUrl})`,
      seen: 'no http:// URL in Healthcheck.Test, so the probed port and path cannot be confirmed',
      where,
    });
    return out;
  }
  const problems: string[] = [];
  for (const raw of urls) {
    let u: URL;
    try {
      u = new URL(raw);
    } catch {
      problems.push(`${raw} is not a URL the harness can read`);
      continue;
    }
    const port = Number(u.port || (u.protocol === 'https:' ? 443 : 80));
    const wrong = [
      port !== service.port && `port ${port}`,
      u.pathname !== service.healthPath && `path ${u.pathname}`,
    ].filter(Boolean);
    if (!wrong.length) return out; // one probe of the right endpoint is enough
    problems.push(`${raw} probes ${wrong.join(' and ')}`);
  }
  out.push({
    check: HEALTHCHECK,
    expected: `the probe targets ${wantUrl} (contract of ${service.name})`,
    seen: problems.join('; '),
    where,
  });
  return out;
};
