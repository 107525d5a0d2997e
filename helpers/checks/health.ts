import type { HealthFacts } from '../model/runtime-facts.ts';
import type { Service } from '../contract/schema.ts';
import { judgeHealthBody } from '../contract/health-schemas.ts';
import { excerpt, type Finding } from '../model/finding.ts';

/** Pure: judges one health endpoint's facts against the contract. */
export function judgeHealth(service: Service, port: number, f: HealthFacts): Finding[] {
  const check = `GET ${f.path} on ${port}`;
  if (!f.ok) {
    const seen = f.exited
      ? `the container stopped after ${(f.elapsedMs / 1000).toFixed(1)} s`
      : f.answer
        ? `HTTP ${f.answer.status} ${excerpt(f.answer.text, 200)} (after ${(f.elapsedMs / 1000).toFixed(1)} s)`
        : `no HTTP answer within ${(f.budgetMs / 1000).toFixed(0)} s (${f.error ?? 'no response'})`;
    const earlier =
      f.earlierOkMs !== undefined
        ? `; asked again (times from then): it had answered 200 ${(f.earlierOkMs / 1000).toFixed(1)} s after its start`
        : '';
    return [
      { check, expected: `HTTP 200 within ${(f.budgetMs / 1000).toFixed(0)} s`, seen: seen + earlier, where: f.where },
    ];
  }
  if (f.absent) return [];
  // The contract names the service only in the body at the main health path (services[].healthService).
  const named = f.path === service.healthPath ? service.healthService : undefined;
  const verdict = judgeHealthBody(f.schema, named, f.answer?.body);
  if (verdict.ok) return [];
  // The probe keeps a body that does not parse as its text: say so, rather than "expected object, received string".
  const text = f.answer?.text ?? '';
  const notJson = f.answer?.body === text;
  return [
    {
      check: `${check}: body`,
      expected: `a JSON body matching the "${f.schema}" health schema${named ? ` with service "${named}"` : ''}`,
      seen: !text
        ? 'an empty body'
        : notJson
          ? `a body that is not JSON: ${excerpt(text, 300)}`
          : `${verdict.problems.join('; ')} in ${excerpt(text, 300)}`,
      where: f.where,
    },
  ];
}
