// Telling "the engine went away" from a check's own failure: an error from the engine's socket, or an engine
// that no longer answers a ping. Checks then did not run; they did not fail.
import { docker } from './docker.ts';

const SOCKET_ERRORS =
  /\b(ENOENT|ECONNREFUSED|ECONNRESET|EPIPE)\b.*(docker\.sock|:2375|:2376)|connect (ENOENT|ECONNREFUSED) \S*docker|socket hang up/i;

/** The error came from the engine's socket (not from a container's published port). */
export function engineGone(e: unknown): boolean {
  const m = e instanceof Error ? e.message : typeof e === 'string' ? e : '';
  return SOCKET_ERRORS.test(m);
}

let lastPing: { at: number; ok: boolean } | undefined;

/** Whether the engine answers a ping now (remembered for 2 s: many checks may ask at once). */
export async function engineAnswers(timeoutMs = 2000): Promise<boolean> {
  if (lastPing && Date.now() - lastPing.at < 2000) return lastPing.ok;
  const timeout = new Promise<false>((r) => setTimeout(() => r(false), timeoutMs).unref());
  const ok = await Promise.race([
    docker()
      .ping()
      .then(
        () => true,
        () => false,
      ),
    timeout,
  ]);
  lastPing = { at: Date.now(), ok };
  return ok;
}
