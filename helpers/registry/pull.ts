/** Pulling by digest through the engine, with a live progress line, and removing what was pulled. */
import { docker } from '../engine/docker.ts';
import { causeOf, PullError } from './errors.ts';
import { registryHost } from './transport.ts';

interface EngineAuth {
  username: string;
  password: string;
  serveraddress: string;
}

interface PullEvent {
  status?: string;
  id?: string;
  progressDetail?: { current?: number; total?: number };
  error?: string;
  errorDetail?: { message?: string };
}

const mb = (n: number) => (n / 1e6).toFixed(1);

/**
 * Follows the engine's pull stream to its end. Progress goes to `log` at most every `everyMs` (plus one line when
 * done): layers finished / seen, and bytes downloaded of the sizes announced so far.
 */
export async function pullReference(
  reference: string,
  opts: { auth?: EngineAuth; log?: (l: string) => void; label?: string; everyMs?: number } = {},
): Promise<void> {
  const log = opts.log ?? (() => {});
  const label = opts.label ?? reference;
  const registry = registryHost(reference.split('/')[0] ?? '');
  let stream: NodeJS.ReadableStream;
  try {
    stream = (await docker().pull(reference, opts.auth ? { authconfig: opts.auth } : {})) as NodeJS.ReadableStream;
  } catch (e) {
    throw new PullError(`engine could not pull ${label}: ${engineMessage(e)}`, registry);
  }
  const layers = new Map<string, { done: boolean; current: number; total: number }>();
  let last = 0;
  const every = opts.everyMs ?? 2000;
  const summary = () => {
    const all = [...layers.values()];
    const done = all.filter((l) => l.done).length;
    const cur = all.reduce((n, l) => n + (l.done ? l.total : l.current), 0);
    const tot = all.reduce((n, l) => n + l.total, 0);
    return `${done}/${all.length} layer(s)${tot ? `, ${mb(cur)}/${mb(tot)} MB` : ''}`;
  };
  let failure: string | undefined;
  await new Promise<void>((resolve) => {
    docker().modem.followProgress(
      stream,
      (err: Error | null) => {
        if (err && !failure) failure = err.message;
        resolve();
      },
      (ev: PullEvent) => {
        if (ev.error || ev.errorDetail) failure ??= ev.errorDetail?.message ?? ev.error;
        if (!ev.id || !ev.status || !/^[0-9a-f]{12}$/.test(ev.id)) return; // layer events carry a short digest id
        const l = layers.get(ev.id) ?? { done: false, current: 0, total: 0 };
        if (ev.progressDetail?.total) l.total = Math.max(l.total, ev.progressDetail.total);
        if (ev.status === 'Downloading' && ev.progressDetail?.current) l.current = ev.progressDetail.current;
        if (/^(Pull complete|Already exists|Download complete)$/.test(ev.status)) l.done = true;
        layers.set(ev.id, l);
        if (Date.now() - last >= every) {
          last = Date.now();
          log(`pull   ${label}: ${summary()}`);
        }
      },
    );
  });
  if (failure) throw new PullError(`engine could not pull ${label}: ${failure}`, registry);
  log(`pull   ${label}: done, ${summary()}`);
}

/** Removes pulled references (host/repo@digest). The image itself goes only when nothing else names it. */
export async function removePulledReferences(references: string[]): Promise<void> {
  for (const ref of references) {
    try {
      await docker().getImage(ref).remove();
    } catch (e) {
      if ((e as { statusCode?: number }).statusCode !== 404) throw e;
    }
  }
}

function engineMessage(e: unknown): string {
  const json = (e as { json?: { message?: string } }).json;
  return json?.message ?? causeOf(e);
}
