/** Engine events of harness containers, recorded while a phase runs: where a verify spends its time. */
import { docker } from '../helpers/engine/docker.ts';

export interface EngineEvent {
  /** Engine time (ms, from timeNano): comparable across events without client-side delay. */
  t: number;
  /** When this process received it (Date.now()). */
  seenAt: number;
  action: string;
  id: string;
  run: string;
  platform: string;
  role: string;
}

interface EventRecorder {
  events: EngineEvent[];
  stop(): void;
}

/** Harness containers only, unless `all` (then every container: to see other work on the engine). */
export async function recordEvents(opts: { all?: boolean } = {}): Promise<EventRecorder> {
  const filters: Record<string, string[]> = opts.all
    ? { type: ['container'] }
    : { type: ['container'], label: ['io.lucid.harness=true'] };
  const stream = (await docker().getEvents({ filters })) as unknown as NodeJS.ReadableStream & { destroy(): void };
  const events: EngineEvent[] = [];
  let buf = '';
  stream.on('data', (chunk: Buffer) => {
    const seenAt = Date.now();
    buf += chunk.toString('utf8');
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl).trim();
      buf = buf.slice(nl + 1);
      if (!line) continue;
      const e = JSON.parse(line) as {
        Action: string;
        id: string;
        timeNano: number;
        Actor: { Attributes: Record<string, string> };
      };
      const a = e.Actor.Attributes;
      events.push({
        t: e.timeNano / 1e6,
        seenAt,
        action: e.Action,
        id: e.id,
        run: a['io.lucid.harness.run'] ?? '',
        platform: a['io.lucid.harness.platform'] ?? '',
        role: a['io.lucid.harness.role'] ?? '',
      });
    }
  });
  stream.on('error', () => undefined);
  return { events, stop: () => stream.destroy() };
}

export interface PlatformTimeline {
  containers: number;
  /** First create → last destroy of this platform's containers. */
  spanMs: number;
  /** Sum of container lifetimes (start → die): container-seconds the engine ran. */
  busyMs: number;
  firstCreateMs: number;
  lastDestroyMs: number;
}

/** Pure: per platform (relative to `t0`, engine clock ms), from the events of one run. */
export function timeline(events: EngineEvent[], run: string, t0: number): Record<string, PlatformTimeline> {
  const mine = events.filter((e) => e.run === run);
  const byPlatform = new Map<string, EngineEvent[]>();
  for (const e of mine) byPlatform.set(e.platform || '?', [...(byPlatform.get(e.platform || '?') ?? []), e]);
  const out: Record<string, PlatformTimeline> = {};
  for (const [p, evs] of byPlatform) {
    const creates = evs.filter((e) => e.action === 'create');
    const destroys = evs.filter((e) => e.action === 'destroy');
    const started = new Map(evs.filter((e) => e.action === 'start').map((e) => [e.id, e.t]));
    let busy = 0;
    for (const d of evs.filter((e) => e.action === 'die')) busy += d.t - (started.get(d.id) ?? d.t);
    const first = Math.min(...creates.map((e) => e.t));
    const last = Math.max(...destroys.map((e) => e.t), first);
    out[p] = {
      containers: creates.length,
      spanMs: Math.round(last - first),
      busyMs: Math.round(busy),
      firstCreateMs: Math.round(first - t0),
      lastDestroyMs: Math.round(last - t0),
    };
  }
  return out;
}
