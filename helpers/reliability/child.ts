/**
 * The CLI as a child process, for the reliability tests: each child is its own run (its own run id, its own
 * pid label), so what it leaves behind can be told apart from the test's and from other runs on the engine.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { PROJECT_ROOT } from '../contract/load.ts';
import { docker } from '../engine/docker.ts';
import { LABEL_RUN } from '../engine/labels.ts';

export const newRunId = (what: string) =>
  `${what}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;

/** The parent's run id and pid must not leak into the child: it would then be "this run" for both. */
function childEnv(runId: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra, LUCID_RUN_ID: runId };
  delete env.LUCID_RUN_PID;
  for (const [k, v] of Object.entries(extra)) if (v === undefined) delete env[k];
  return env;
}

interface CliResult {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

interface CliChild {
  child: ChildProcess;
  done: Promise<CliResult>;
}

/** Starts `lucid-harness <args>`; `detached` gives it its own process group (pgid = its pid). */
export function startCli(
  args: string[],
  o: { runId: string; env?: NodeJS.ProcessEnv; detached?: boolean; cwd?: string },
): CliChild {
  const t0 = Date.now();
  const child = spawn(process.execPath, ['bin/lucid-harness.mjs', ...args], {
    cwd: o.cwd ?? PROJECT_ROOT,
    env: childEnv(o.runId, o.env),
    detached: o.detached,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (b: Buffer) => (stdout += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
  const done = new Promise<CliResult>((resolve) =>
    child.on('close', (status, signal) => resolve({ status, signal, stdout, stderr, ms: Date.now() - t0 })),
  );
  return { child, done };
}

export const runCli = (args: string[], o: { runId: string; env?: NodeJS.ProcessEnv; cwd?: string }) =>
  startCli(args, o).done;

/** Containers and harness networks labelled with a run id. */
export async function leftovers(runId: string): Promise<{ containers: string[]; networks: string[] }> {
  const filters = { label: [`${LABEL_RUN}=${runId}`] };
  const [containers, networks] = await Promise.all([
    docker().listContainers({ all: true, filters }),
    docker().listNetworks({ filters }),
  ]);
  return {
    containers: containers.map((c) => `${c.Id.slice(0, 12)} ${c.State}`),
    networks: networks.map((n) => n.Name),
  };
}

export async function waitForContainers(runId: string, min: number, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const n = (await leftovers(runId)).containers.length;
    if (n >= min || Date.now() > deadline) return n;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Pids still alive in a process group (empty when the whole group is gone). */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The last non-empty stderr line: where the CLI puts its one-line verdict. */
export const lastLine = (text: string) => text.trim().split('\n').filter(Boolean).pop() ?? '';
