// What the smoke suite observes of running containers (health endpoints, Docker health, processes, shells,
// machine): gathered by helpers/runtime, judged by helpers/checks, which therefore need no engine code.
import { z } from 'zod';

/** The body schemas a health endpoint of the contract can name (contract/health-schemas.ts judges them). */
export const HealthSchemaName = z.enum(['gateway', 'basic', 'versioned', 'mesh', 'data-chain']);
export type HealthSchemaName = z.infer<typeof HealthSchemaName>;

export interface HttpAnswer {
  status: number;
  body: unknown;
  text: string;
}

export interface HealthFacts {
  path: string;
  schema: HealthSchemaName;
  budgetMs: number;
  ok: boolean;
  elapsedMs: number;
  answer?: HttpAnswer;
  error?: string;
  exited?: boolean;
  /**
   * Set on a re-probe of a path that had answered 200 this long after the container's start (the shared stack's
   * start): elapsedMs and budgetMs then count from the re-probe.
   */
  earlierOkMs?: number;
  /** An optional path the service does not serve (it answered 404): nothing to judge. */
  absent?: boolean;
  /** Diagnostics text (logs, exit code, ports), gathered only when something went wrong. */
  where?: string;
}

export interface DockerHealthFacts {
  status: string;
  elapsedMs: number;
  budgetMs: number;
  /** The last HEALTHCHECK runs the engine kept: exit code and output. */
  log: { exitCode: number; output: string }[];
  declared: boolean;
  /** The HEALTHCHECK command the container runs (the image's, with the harness's timing). */
  test?: string[];
  /** The deadline of one HEALTHCHECK run: the harness's, or the image's own when that is longer. */
  timeoutMs?: number;
  /** Who ran the HEALTHCHECK: the engine on its interval (default), or the harness once through exec. */
  runner?: 'engine' | 'harness';
}

export interface ExecOutcome {
  cmd: string[];
  /** null when the engine refused to run it at all (e.g. 409 on a stopped container). */
  exitCode: number | null;
  output: string;
}

export interface ProcessFact {
  pid: number;
  /** Effective ids. */
  uid: number;
  gid: number;
  /**
   * Real and saved ids, when ps could tell them: a process that set only its effective ids (os.seteuid) keeps
   * real or saved uid 0 and can take root back at any moment.
   */
  ruid?: number;
  suid?: number;
  rgid?: number;
  sgid?: number;
  args: string;
}

/** Under QEMU user emulation ps shows the interpreter first; the program it runs is what matters. */
export function programArgs(args: string): string {
  return args.replace(/^\S*qemu[^\s]*\s+(-\S+\s+)*/, '');
}

/** The container as the engine saw it when the facts were taken: whether it still ran, and its story. */
export interface ContainerEnd {
  running: boolean;
  restartCount: number;
  /** "exited with code 127 (…) after 0.4 s" or "running for 12.0 s". */
  story: string;
  /** Its diagnostics text (state, ports, log tail). */
  where: string;
  /**
   * The TCP ports its network namespace listens on at that moment; null or absent when they could not be read.
   * A running container with nothing on its service port has lost its server (a supervisor or init lives on).
   */
  listeningPorts?: number[] | null;
}

export interface RunFacts {
  /** Set when the container could not even be created or started. */
  startError?: string;
  /** What the engine said of the container that could not start (exit code, lifetime), when it was seen. */
  startStory?: string;
  health: HealthFacts[];
  dockerHealth?: DockerHealthFacts;
  /** Diagnostics text gathered after everything else, for findings that need "where to look". */
  where?: string;
  /** The container after everything else was gathered (own containers; shared stacks judge theirs after the flows). */
  end?: ContainerEnd;
}

export interface SmokeRuntimeFacts {
  normal: RunFacts & {
    processes?: ProcessFact[];
    processError?: string;
    shellExecs: ExecOutcome[];
    /** Where the shells were tried: in the service container, or in fresh containers because it was not running. */
    shellsIn?: 'service' | 'fresh';
    machine?: MachineFacts;
    /** Whether the service container still ran when processes and machine were read. */
    runningAtInspect?: boolean;
  };
  hardened: RunFacts;
  /**
   * own-containers: one container as the image asks plus one hardened; the HEALTHCHECK run by the engine in
   * the native as-asked run, by the harness through exec in the others (helpers/runtime/smoke-run.ts says why).
   * shared-stack: the image's hardened container in the platform's shared stack, which answered, so both
   * runs are that one; its HEALTHCHECK was run once by the harness (the engine's probe is paused there).
   */
  source: 'own-containers' | 'shared-stack';
}

export interface MachineFacts {
  /** uname machine seen by a program in the container (aarch64 under QEMU for arm64). */
  machine?: string;
  pageSize?: number;
  error?: string;
}
