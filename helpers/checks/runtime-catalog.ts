// The runtime checks of the smoke suite as one catalog, shaped like the static one: a name, a title and a
// pure judge over the gathered runtime facts. A judge returns its findings, or throws NotRun when the fact it
// needs could not be observed (the container was not running, the engine could not be asked): the root cause
// of a container that does not run is reported once, on `health`; the others point there.
import type { Platform } from '../model/platform.ts';
import type { Contract, Service } from '../contract/schema.ts';
import { NotRun } from '../model/verdict.ts';
import type { RunFacts, SmokeRuntimeFacts } from '../model/runtime-facts.ts';
import type { Finding } from '../model/finding.ts';
import { judgeHealth } from './health.ts';
import { judgeDockerHealth, judgeProcessUser, judgeRuntimeMachine, judgeShellExecs } from './runtime.ts';

interface RuntimeJudgeInput {
  facts: SmokeRuntimeFacts;
  contract: Contract;
  service: Service;
  platform: Platform;
}

interface RuntimeCheck {
  name: string;
  title: string;
  /** Judged by the flow suite instead, after the platform's flows, when the image runs in a shared stack. */
  afterFlowsInSharedStack?: boolean;
  judge(input: RuntimeJudgeInput): Finding[];
}

const notStartedReason = (r: RunFacts) => `the container did not start (${r.startStory ?? r.startError}); see health`;

/** Its main health path answered 200: the service became healthy, whatever its body or other paths say. */
const becameHealthy = (r: RunFacts, service: Service): boolean =>
  r.health.some((h) => h.path === service.healthPath && h.ok);

/** Where a stopped container's root cause is reported: a crash after healthy is still-running's, else health's. */
const rootCauseCheck = (r: RunFacts, service: Service) => (becameHealthy(r, service) ? 'still-running' : 'health');

/** The normal run's container is gone: nothing of it can be read. */
function requireRunning(f: SmokeRuntimeFacts, service: Service, what: string): void {
  const n = f.normal;
  if (n.startError) throw new NotRun(notStartedReason(n));
  if (n.runningAtInspect === false)
    throw new NotRun(
      `the container was no longer running when ${what} (${n.end?.story ?? 'it had stopped'}); see ${rootCauseCheck(n, service)}`,
    );
}

/** Paths the container stopped before they could be asked, after the main one answered: not observed. */
const unasked = (r: RunFacts, service: Service) =>
  becameHealthy(r, service) ? r.health.filter((h) => h.path !== service.healthPath && !h.ok && h.exited) : [];

const healthFindings = (r: RunFacts, service: Service): Finding[] => {
  const skip = new Set(unasked(r, service));
  return r.health.filter((h) => !skip.has(h)).flatMap((h) => judgeHealth(service, service.port, h));
};

export const RUNTIME_CHECKS: readonly RuntimeCheck[] = [
  {
    name: 'health',
    title: 'the health path answers 200 with a schema-valid body within the startup budget',
    judge: ({ facts, service }) => {
      const n = facts.normal;
      if (n.startError)
        return [
          {
            check: 'the container starts and serves its health path',
            expected: `HTTP 200 on ${service.healthPath}`,
            seen: n.startError,
            where: n.where,
          },
        ];
      const found = healthFindings(n, service).map((f) => ({ ...f, where: f.where ?? n.where }));
      // Stopped after it answered: what was asked is judged; the rest was never seen, and the crash is
      // still-running's finding (the root cause once).
      const never = unasked(n, service);
      if (!found.length && never.length)
        throw new NotRun(
          `the container stopped after ${service.healthPath} answered 200, before ${never.map((h) => h.path).join(', ')} could be asked${n.end && !n.end.running ? ` (${n.end.story})` : ''}; see still-running`,
        );
      return found;
    },
  },
  {
    name: 'process-user',
    title: 'the service process runs as the contract uid:gid',
    judge: ({ facts, contract, service }) => {
      requireRunning(facts, service, 'its processes were read');
      const n = facts.normal;
      if (n.processError || !n.processes)
        throw new NotRun(`the processes could not be read: ${n.processError ?? 'docker top gave no answer'}`);
      return judgeProcessUser(n.processes, contract.user).map((f) => ({ ...f, where: n.where }));
    },
  },
  {
    name: 'shell-exec',
    title: 'no shell the image holds can be executed (in the running container, else in fresh ones)',
    judge: ({ facts }) => {
      const n = facts.normal;
      const ran = n.shellExecs.filter((o) => o.exitCode === 0);
      const unknown = n.shellExecs.filter((o) => o.exitCode === null);
      const where =
        n.shellsIn === 'fresh'
          ? 'tried in fresh hardened containers of the image (the service container was not running, or stopped while they were tried)'
          : n.where;
      if (ran.length) return judgeShellExecs(ran).map((f) => ({ ...f, where }));
      if (!n.shellExecs.length || unknown.length === n.shellExecs.length) {
        throw new NotRun(
          `no shell could be tried: ${unknown.map((o) => `${o.cmd[0]}: ${o.output.slice(0, 160)}`).join('; ') || 'no candidates'}`,
        );
      }
      // Some tried and refused, the rest unanswered: each unanswered one is a shell not proven absent.
      return judgeShellExecs(unknown).map((f) => ({ ...f, where }));
    },
  },
  {
    name: 'runtime-platform',
    title: 'a program in the container reports the machine of the platform asked for',
    judge: ({ facts, platform, contract, service }) => {
      requireRunning(facts, service, 'its machine was asked');
      const m = facts.normal.machine;
      // "exec format error" is an answer: the image's interpreter is for another machine than this one runs.
      if (m?.error && !/exec format error/i.test(m.error))
        throw new NotRun(`the image's ${contract.base.python} could not be asked: ${m.error}`);
      return judgeRuntimeMachine(platform, m).map((f) => ({ ...f, where: facts.normal.where }));
    },
  },
  {
    name: 'docker-health',
    title: "the image's own HEALTHCHECK passes",
    judge: ({ facts, service }) => {
      const n = facts.normal;
      if (n.startError) throw new NotRun(notStartedReason(n));
      if (!n.dockerHealth) throw new NotRun('no Docker health status was read');
      // A stopped container refuses the HEALTHCHECK's exec (409) and the engine stops probing: nothing was judged.
      const stopped =
        (n.end && !n.end.running) || n.runningAtInspect === false || n.dockerHealth.status.startsWith('container ');
      if (n.dockerHealth.status !== 'healthy' && stopped)
        throw new NotRun(
          `the container stopped before its HEALTHCHECK could pass (${n.end?.story ?? n.dockerHealth.status}); see ${rootCauseCheck(n, service)}`,
        );
      return judgeDockerHealth(n.dockerHealth).map((f) => ({
        ...f,
        where: [f.where, n.where].filter(Boolean).join('\n'),
      }));
    },
  },
  {
    name: 'hardened',
    title: 'read-only, cap-drop ALL, no-new-privileges, tmpfs on writable dirs: still healthy',
    judge: ({ facts, service }) => {
      const { normal: n, hardened: h } = facts;
      if (n.startError)
        throw new NotRun(
          `the container does not start as the image asks either (${n.startStory ?? n.startError}); see health`,
        );
      const normalHealthy = !healthFindings(n, service).length;
      const normalDockerHealthy = n.dockerHealth?.status === 'healthy';
      if (!normalHealthy && !normalDockerHealthy)
        throw new NotRun('the image is not healthy as it asks either; see health and docker-health');
      const what = 'hardened run';
      if (h.startError)
        return [
          {
            check: `${what}: container starts`,
            expected: 'the container is created and started',
            seen: h.startError,
            where: h.where,
          },
        ];
      const found = [
        ...(normalHealthy ? healthFindings(h, service) : []),
        ...(normalDockerHealthy && h.dockerHealth ? judgeDockerHealth(h.dockerHealth) : []),
      ];
      // A crash after healthy is still-running's finding; hardened reports one only when the plain run survived.
      const plainSurvived = n.end?.running === true && n.end.restartCount === 0;
      if (h.end && (!h.end.running || h.end.restartCount > 0) && facts.source === 'own-containers' && plainSurvived) {
        found.push({
          check: 'still running',
          expected: 'the hardened container still running with 0 restarts at the end of its checks',
          seen: `it ${h.end.story}`,
          where: h.end.where,
        });
      }
      return found.map((f) => ({ ...f, check: `${what}: ${f.check}`, where: f.where ?? h.where }));
    },
  },
  {
    name: 'still-running',
    title: 'the service container still runs, with 0 restarts, when its checks (and flows) are done',
    afterFlowsInSharedStack: true,
    judge: ({ facts, service }) => {
      const n = facts.normal;
      if (n.startError) throw new NotRun(notStartedReason(n));
      if (!n.end) throw new NotRun('the container was not looked at after its checks');
      // Only a service that became healthy can crash "after healthy"; one that never did is health's finding. Its
      // main path answering 200 is what counts: an extra path's 404 or a body problem is a defect of its own, and
      // must not hide the crash.
      if (!becameHealthy(n, service)) throw new NotRun('the service never became healthy; see health');
      return judgeStillRunning('service container', n.end, service.port);
    },
  },
];

/**
 * Shared with the flow suite, which judges the stack's containers after the flows. With `port`, a container that
 * runs but no longer listens there fails too: its server process ended while a supervisor or init kept PID 1
 * alive, which container state alone cannot tell. Ports that could not be read judge nothing.
 */
export function judgeStillRunning(
  what: string,
  end: { running: boolean; restartCount: number; story: string; where: string; listeningPorts?: number[] | null },
  port?: number,
): Finding[] {
  const check = `the ${what} is still alive at the end`;
  if (!end.running || end.restartCount !== 0)
    return [
      {
        check,
        expected: 'still running, with 0 restarts, after it became healthy and its checks ran',
        seen: `it ${end.story}`,
        where: end.where,
      },
    ];
  if (port === undefined || !end.listeningPorts || end.listeningPorts.includes(port)) return [];
  const on = end.listeningPorts.length ? `listening on ${end.listeningPorts.join(', ')}` : 'listening on no TCP port';
  return [
    {
      check,
      expected: `still serving on ${port} after it became healthy and its checks ran`,
      seen: `it is ${end.story}, but nothing listens on ${port} any more (${on}): the server process ended while the container lived on`,
      where: end.where,
    },
  ];
}

export const RUNTIME_CHECK_NAMES: readonly string[] = RUNTIME_CHECKS.map((c) => c.name);
