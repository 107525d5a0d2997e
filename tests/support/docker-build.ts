// `docker build` over the engine API from an in-memory context: how the tests make images the way users do, with the
// engine's own builder rather than the project's image writer.
import { Readable } from 'node:stream';
import { docker } from '../../helpers/engine/docker.ts';
import { harnessLabels } from '../../helpers/engine/labels.ts';
import { packTar, type TarItem } from './tar-fixture.ts';

/** Builds `items` (a Dockerfile among them) as `tag`, labelled as the harness's; fails with the builder's error. */
export async function buildContext(
  tag: string,
  items: TarItem[],
  opts: { purpose: string; platform?: string },
): Promise<void> {
  const stream = await docker().buildImage(Readable.from([await packTar(items)]), {
    t: tag,
    ...(opts.platform && { platform: opts.platform }),
    labels: harnessLabels(opts.purpose),
    rm: true,
    forcerm: true,
  });
  const events = await new Promise<{ error?: string }[]>((ok, fail) =>
    docker().modem.followProgress(stream, (err: Error | null, out: { error?: string }[]) =>
      err ? fail(err) : ok(out),
    ),
  );
  const error = events.find((e) => e.error)?.error;
  if (error) throw new Error(`docker build of ${tag}: ${error}`);
}
