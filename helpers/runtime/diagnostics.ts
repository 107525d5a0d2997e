import { readFile } from 'node:fs/promises';
import type Dockerode from 'dockerode';
import { loopbackOnlyPorts, parseProcNetTcp } from './listening-ports.ts';
import { engineEndpoint } from '../engine/endpoint.ts';

export interface Diagnostics {
  state: string;
  exitCode: number | null;
  restartCount: number;
  oomKilled: boolean;
  /** How long the container ran: until it exited, or until now while it runs; null when unknown. */
  livedMs: number | null;
  /** null when they could not be read (container gone, no /proc access, no python in the image). */
  listeningPorts: number[] | null;
  /** Of those, the ports bound to loopback only (uvicorn's default --host 127.0.0.1). */
  loopbackOnly?: number[];
  logsTail: string;
}

interface PortsSeen {
  ports: number[];
  loopbackOnly: number[];
}
const portsSeen = (text: string): PortsSeen => ({
  ports: parseProcNetTcp(text),
  loopbackOnly: loopbackOnlyPorts(text),
});

/**
 * The socket table of the container's network namespace, read through our /proc at the pid the engine gives; null
 * when that pid is not the container's process here. A unix socket is not always this kernel's engine: Docker
 * Desktop, Colima or Lima run it in a VM, whose pids name unrelated processes of this host (their ports are not the
 * service's), so the pid's cgroup must name the container.
 */
export async function portsFromHostProc(pid: number, containerId: string): Promise<PortsSeen | null> {
  // Only this host's engine has its containers' processes in our /proc.
  if (!engineEndpoint().local || pid <= 0 || containerId.length < 12) return null;
  try {
    if (!(await readFile(`/proc/${pid}/cgroup`, 'utf8')).includes(containerId)) return null;
    const [v4, v6] = await Promise.all([
      readFile(`/proc/${pid}/net/tcp`, 'utf8'),
      readFile(`/proc/${pid}/net/tcp6`, 'utf8').catch(() => ''),
    ]);
    return portsSeen(`${v4}\n${v6}`);
  } catch {
    return null;
  }
}

/** Remote engine: ask the image's own python (no shell needed) to print its namespace's socket table. */
async function portsFromExec(container: Dockerode.Container, python: string): Promise<PortsSeen | null> {
  try {
    const exec = await container.exec({
      Cmd: [
        python,
        '-S',
        '-c',
        "import sys\nfor f in ('/proc/net/tcp','/proc/net/tcp6'):\n  try: sys.stdout.write(open(f).read())\n  except OSError: pass",
      ],
      AttachStdout: true,
      AttachStderr: true,
    });
    const stream = await exec.start({ hijack: true, stdin: false });
    const chunks: Buffer[] = [];
    await new Promise<void>((resolve, reject) => {
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', resolve);
      stream.on('error', reject);
    });
    const info = await exec.inspect();
    if (info.ExitCode !== 0) return null;
    return portsSeen(demux(Buffer.concat(chunks)));
  } catch {
    return null;
  }
}

/** Strips the engine's 8-byte stream frame headers (non-TTY exec output). */
export function demux(buf: Buffer): string {
  let out = '';
  let i = 0;
  while (i + 8 <= buf.length) {
    const len = buf.readUInt32BE(i + 4);
    out += buf.subarray(i + 8, i + 8 + len).toString('utf8');
    i += 8 + len;
  }
  return out;
}

export async function collectDiagnostics(
  container: Dockerode.Container,
  logsTail: string,
  python = '/usr/bin/python3',
): Promise<Diagnostics> {
  try {
    const info = await container.inspect();
    const running = info.State.Running;
    const seen = running
      ? ((await portsFromHostProc(info.State.Pid, info.Id)) ?? (await portsFromExec(container, python)))
      : null;
    // A container that ended within a moment of its start may have printed everything before the log stream was
    // attached: the engine's own log of it is whole.
    if (!running && !logsTail.trim()) logsTail = await engineLogTail(container);
    return {
      state: info.State.Status,
      exitCode: running ? null : info.State.ExitCode,
      restartCount: info.RestartCount ?? 0,
      oomKilled: info.State.OOMKilled,
      livedMs: livedMs(info.State.StartedAt, running ? undefined : info.State.FinishedAt),
      listeningPorts: seen?.ports ?? null,
      ...(seen?.loopbackOnly.length && { loopbackOnly: seen.loopbackOnly }),
      logsTail,
    };
  } catch (e) {
    return {
      state: `unknown (${(e as Error).message})`,
      exitCode: null,
      restartCount: 0,
      oomKilled: false,
      livedMs: null,
      listeningPorts: null,
      logsTail,
    };
  }
}

/** The last lines the engine logged for a container (stdout and stderr), '' when it cannot say. */
export async function engineLogTail(container: Dockerode.Container, lines = 40): Promise<string> {
  const raw = (await container
    .logs({ stdout: true, stderr: true, tail: lines })
    .catch(() => Buffer.alloc(0))) as unknown as Buffer;
  return demux(raw).trim();
}

/** Milliseconds between the engine's StartedAt and FinishedAt (or now); null for the engine's zero time. */
export function livedMs(startedAt: string | undefined, finishedAt?: string, now = Date.now()): number | null {
  const start = startedAt ? Date.parse(startedAt) : NaN;
  if (!Number.isFinite(start) || start <= 0) return null;
  const end = finishedAt ? Date.parse(finishedAt) : now;
  return Number.isFinite(end) && end >= start ? end - start : null;
}

const EXIT_MEANING: Record<number, string> = {
  126: 'program not executable',
  127: 'program or a library it needs not found',
  137: 'killed (SIGKILL)',
  139: 'segmentation fault',
  143: 'terminated (SIGTERM)',
};

/** "exited with code 127 (program or a library it needs not found) after 0.4 s": the root cause in one line. */
export function exitStory(
  d: Pick<Diagnostics, 'state' | 'exitCode' | 'livedMs' | 'oomKilled' | 'restartCount'>,
): string {
  if (d.exitCode === null)
    return `${d.state}${d.livedMs !== null ? ` for ${(d.livedMs / 1000).toFixed(1)} s` : ''}${d.restartCount ? `, restarted ${d.restartCount} time(s)` : ''}`;
  const meaning = EXIT_MEANING[d.exitCode];
  return `exited with code ${d.exitCode}${meaning ? ` (${meaning})` : ''}${d.oomKilled ? ', OOM-killed' : ''}${d.livedMs !== null ? ` after ${(d.livedMs / 1000).toFixed(1)} s` : ''}${d.restartCount ? `, restarted ${d.restartCount} time(s)` : ''}`;
}

/** Pure: the "where to look" part of every runtime failure message. */
export function describeDiagnostics(d: Diagnostics, contractPort?: number): string {
  const lines = [
    `container state: ${d.state}${d.exitCode !== null ? `, exit code ${d.exitCode}` : ''}${d.livedMs !== null ? `, ran ${(d.livedMs / 1000).toFixed(1)} s` : ''}, restarts ${d.restartCount}${d.oomKilled ? ', OOM-killed' : ''}`,
  ];
  if (d.listeningPorts) {
    const on = d.listeningPorts.length ? `listening on ${d.listeningPorts.join(', ')}` : 'listening on no TCP port';
    const nothing =
      contractPort !== undefined && !d.listeningPorts.includes(contractPort) ? `nothing on ${contractPort}; ` : '';
    const local = d.loopbackOnly?.length
      ? `; ${d.loopbackOnly.join(', ')} on loopback only (127.0.0.1 or ::1), which a published port cannot reach: bind 0.0.0.0 (uvicorn and gunicorn take --host 0.0.0.0 / --bind 0.0.0.0:PORT)`
      : '';
    lines.push(`ports: ${nothing}${on}${local}`);
  } else if (d.state === 'running') {
    lines.push('ports: could not be read');
  }
  lines.push(d.logsTail ? `logs (tail):\n${indent(d.logsTail)}` : 'logs: (empty)');
  return lines.join('\n');
}

const indent = (s: string) =>
  s
    .split('\n')
    .map((l) => `  | ${l}`)
    .join('\n');
