/** Loading a docker-archive through the engine API (POST /images/load), and asking what a tag points at. */
import { Readable } from 'node:stream';
import { docker } from '../engine/docker.ts';

export class LoadError extends Error {}

/** The image id a tag points at, or undefined when the engine has no such tag. */
export async function imageIdOf(tag: string): Promise<string | undefined> {
  try {
    return (await docker().getImage(tag).inspect()).Id;
  } catch (e) {
    if ((e as { statusCode?: number }).statusCode === 404) return undefined;
    throw e;
  }
}

/** Streams the archive to the engine and fails on any error message in the engine's answer. */
export async function loadArchive(chunks: AsyncIterable<Buffer>): Promise<string[]> {
  const res = await docker().loadImage(Readable.from(chunks), { quiet: true });
  let text = '';
  for await (const c of res as AsyncIterable<Buffer>) text += c.toString('utf8');
  const lines: string[] = [];
  for (const raw of text.split(/\r?\n/).filter(Boolean)) {
    let msg: { stream?: string; error?: string; errorDetail?: { message?: string } };
    try {
      msg = JSON.parse(raw);
    } catch {
      lines.push(raw);
      continue;
    }
    if (msg.error || msg.errorDetail)
      throw new LoadError(`engine refused the image: ${msg.errorDetail?.message ?? msg.error}`);
    if (msg.stream?.trim()) lines.push(msg.stream.trim());
  }
  return lines;
}
