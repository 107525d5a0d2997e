import type { Service } from '../../contract/schema.ts';
import type { ImageFacts } from '../../model/image-facts.ts';
import type { Finding } from '../../model/finding.ts';
import { NotRun } from '../../model/verdict.ts';
import { probeSources, urlsInCode, type ProbeText } from './probe-source.ts';
import { judgeArgv } from './program.ts';
import type { StaticCheck } from './types.ts';

export const HEALTHCHECK = 'healthcheck';
// A host may be an IPv6 literal in brackets (http://[::1]:8087/health); otherwise a bracket ends the URL.
const URL_IN_TEXT = /\bhttps?:\/\/(?:\[[0-9a-f:.]+\][^\s'"`)\]}>,;]*|[^\s'"`)\]}>,;]+)/gi;
/** Right after a URL in code: the string goes on being built ('…:' + port, '…%s' % x, '….format(…)'). */
const JOINED_AFTER = /^['"]\s*(\+|%|\.format\b)/;
const TCP_CONNECT = /\bconnect_ex\s*\(|\bcreate_connection\s*\(|\.connect\s*\(\s*\(/;

/** /health and /health/ are one endpoint: the contract leaves the trailing-slash spelling (and its redirect) open. */
const samePath = (a: string, b: string) => a.replace(/\/+$/, '') === b.replace(/\/+$/, '');

type ProbedUrl = { raw: string; from: string } & ({ port: number; path: string } | { unresolved: string });

/** http.client's idiom: HTTPConnection("host", 8087) or ("host:8087"), then .request("GET", "/health"). */
const HTTP_CONNECTION = /HTTPS?Connection\(\s*['"]([^'":]+)(?::(\d+))?['"]\s*(?:,\s*(?:port\s*=\s*)?(\d+))?/;
const HTTP_REQUEST = /\.request\(\s*['"](?:GET|HEAD)['"]\s*,\s*['"](\/[^'"]*)['"]/;

/** The request an http.client probe makes, as a URL; none when its host, port or path is not a literal. */
function httpClientUrl(code: string): string | undefined {
  const conn = HTTP_CONNECTION.exec(code);
  const req = HTTP_REQUEST.exec(code);
  const port = conn?.[2] ?? conn?.[3];
  if (!conn || !req || !port) return undefined;
  return `${/HTTPS/.test(conn[0]) ? 'https' : 'http'}://${conn[1]}:${port}${req[1]}`;
}

/** The URLs a probe's texts name; one its code builds at run time (templated, joined) is unresolved. */
function probedUrls(texts: readonly ProbeText[], env: readonly string[]): ProbedUrl[] {
  const viaHttpClient = texts.flatMap((t): ProbedUrl[] => {
    const raw = t.code ? httpClientUrl(t.text) : undefined;
    if (!raw || !URL.canParse(raw)) return [];
    const u = new URL(raw);
    return [{ raw, from: t.from, port: Number(u.port), path: u.pathname }];
  });
  const endpoint = (raw: string) => {
    const u = new URL(raw);
    return { port: Number(u.port || (u.protocol === 'https:' ? 443 : 80)), path: u.pathname };
  };
  return viaHttpClient.concat(
    texts.flatMap((t) => {
      // Code: the URLs it writes or joins from literals and its constants (probe-source.ts); the rest of its text
      // (comments, prose in strings) is read for URLs as an argument is.
      const code = t.code ? urlsInCode(t.text, env) : { urls: [], read: [] };
      const fromCode = code.urls.map((u): ProbedUrl =>
        u.url === undefined
          ? { raw: u.raw, from: t.from, unresolved: u.unresolved ?? 'built at run time' }
          : { raw: u.raw, from: t.from, ...endpoint(u.url) },
      );
      const inText = [...t.text.matchAll(URL_IN_TEXT)]
        .filter((m) => !code.read.some(([a, b]) => m.index >= a && m.index < b))
        .map((m): ProbedUrl => {
          const raw = m[0];
          const after = t.text.slice(m.index + raw.length, m.index + raw.length + 12);
          const base = { raw, from: t.from };
          if (/[{}%$]/.test(raw) || raw.endsWith(':') || (t.code && JOINED_AFTER.test(after)))
            return { ...base, unresolved: 'built at run time' };
          if (!URL.canParse(raw)) return { ...base, unresolved: 'not a URL the harness can read' };
          // In code, a URL without a path is a base some code may join a path to: not read as probing "/".
          if (t.code && endpoint(raw).path === '/' && !/^[a-z]+:\/\/[^/]*\/./i.test(raw))
            return { ...base, unresolved: 'a base URL the code may join a path to' };
          return { ...base, ...endpoint(raw) };
        });
      return [...fromCode, ...inText];
    }),
  );
}

/**
 * The URL the probe requests must be the contract port and health path: read from the arguments, the -c code or
 * the script or module it runs. One probe of the right endpoint is enough. A probe that only opens a TCP
 * connection fails (a port that accepts passes it whatever the health path answers); one whose URL cannot be
 * read (a compiled program, a URL built at run time) is not judged on it: NotRun when nothing else failed.
 */
function judgeProbedUrl(
  facts: ImageFacts,
  argv: readonly string[],
  service: Service,
  where: string,
  failedAlready: boolean,
): Finding[] {
  const want = `port ${service.port}, path ${service.healthPath}`;
  const src = probeSources(facts, argv);
  // The env the probe runs with: the contract's env for the service over the image's (a templated value stays unread).
  const env = [...Object.entries(service.env).map(([k, v]) => `${k}=${v}`), ...facts.config.Env];
  const urls = probedUrls(src.texts, env);
  const resolved = urls.filter((u): u is Extract<ProbedUrl, { port: number }> => 'port' in u);
  if (resolved.some((u) => u.port === service.port && samePath(u.path, service.healthPath))) return [];
  const fileWhere = [where, ...src.texts.filter((t) => t.code && t.from.startsWith('image file')).map((t) => t.from)];
  const unresolved = urls.filter((u) => !('port' in u));
  const unseen = [
    ...unresolved.map((u) => `${u.raw} in ${u.from} (${'unresolved' in u ? u.unresolved : ''})`),
    ...src.unread.map((u) => `${u} (its text is not read)`),
  ];
  // A URL given as an argument is what the probe is told to request; in code, one may be beside the one it uses.
  const judged = resolved.some((u) => u.from === 'Healthcheck.Test') || (resolved.length > 0 && unseen.length === 0);
  if (judged)
    return [
      {
        check: HEALTHCHECK,
        expected: `the probe targets ${want} (contract of ${service.name})`,
        seen: resolved
          .map((u) => {
            const wrong = [
              u.port !== service.port && `port ${u.port}`,
              !samePath(u.path, service.healthPath) && `path ${u.path}`,
            ];
            return `${u.raw} probes ${wrong.filter(Boolean).join(' and ')}${u.from === 'Healthcheck.Test' ? '' : ` (in ${u.from})`}`;
          })
          .join('; '),
        where: fileWhere.join('\n'),
      },
    ];
  if (unseen.length) {
    if (failedAlready) return [];
    throw new NotRun(
      `the URL the HEALTHCHECK probes could not be read: ${unseen.join('; ')}; docker-health shows whether the probe passes`,
    );
  }
  const code = src.texts.filter((t) => t.code);
  const tcp = code.find((t) => TCP_CONNECT.test(t.text));
  if (!tcp && code.some((t) => /\bimport\b|__import__/.test(t.text)) && !failedAlready)
    throw new NotRun(
      `the HEALTHCHECK names no URL in ${code.map((t) => t.from).join(', ')}; it may build one in what it imports`,
    );
  return [
    {
      check: HEALTHCHECK,
      expected: `the probe requests the health endpoint (${want})`,
      seen: tcp
        ? `it only opens a TCP connection (${tcp.from}): any process accepting on the port passes it, whatever ${service.healthPath} answers (e.g. 503 while the service's storage is down)`
        : `no URL in ${src.texts.map((t) => t.from).join(' or ') || 'Healthcheck.Test'}: it probes nothing the contract names`,
      where: fileWhere.join('\n'),
    },
  ];
}

/**
 * HEALTHCHECK must be exec form (distroless has no shell for CMD-SHELL), its program must exist, and the URL it
 * probes must be the contract port and health path (judgeProbedUrl).
 */
export const checkHealthcheck: StaticCheck = (facts, _contract, service) => {
  const test = facts.config.Healthcheck?.Test ?? [];
  const where = `image config: config.Healthcheck.Test ${JSON.stringify(test)}`;
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

  return [...out, ...judgeProbedUrl(facts, rest, service, where, out.length > 0)];
};
