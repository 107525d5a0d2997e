import type Dockerode from 'dockerode';
import { demux } from './diagnostics.ts';
import type { ExecOutcome } from '../model/runtime-facts.ts';

/** Runs a program in a running container through the engine (no shell involved) and collects its result. */
export async function execIn(
  container: Dockerode.Container,
  cmd: string[],
  opts: { user?: string; timeoutMs?: number } = {},
): Promise<ExecOutcome> {
  try {
    const exec = await container.exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true, User: opts.user });
    const stream = await exec.start({ hijack: true, stdin: false });
    const chunks: Buffer[] = [];
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        stream.destroy();
        resolve();
      }, opts.timeoutMs ?? 30_000);
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => (clearTimeout(timer), resolve()));
      stream.on('error', (e: Error) => (clearTimeout(timer), reject(e)));
    });
    const raw = Buffer.concat(chunks);
    // A missing program makes the engine answer with plain text instead of framed output.
    const output = raw.length >= 8 && raw[0]! <= 2 && raw[1] === 0 ? demux(raw) : raw.toString('utf8');
    const info = await exec.inspect();
    return { cmd, exitCode: info.Running ? null : info.ExitCode, output: output.trim() };
  } catch (e) {
    return { cmd, exitCode: null, output: (e as Error).message };
  }
}
