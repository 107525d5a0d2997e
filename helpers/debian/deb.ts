/**
 * Opens a .deb without dpkg: ar container → control.tar.* (for the control stanza) and
 * data.tar.* (the files). Maintainer scripts in control.tar are read past, never run.
 */
import { parseAr } from './ar.ts';
import { decompress } from './decompress.ts';
import { readTar, type TarEntry } from './tar-read.ts';

export interface DebContents {
  /** The package's DEBIAN/control text. */
  control: string;
  /** data.tar entries, in archive order. */
  entries: TarEntry[];
}

class DebError extends Error {}

export async function readDeb(buf: Buffer, what = 'package'): Promise<DebContents> {
  const members = parseAr(buf);
  const first = members[0];
  if (!first || first.name !== 'debian-binary') throw new DebError(`${what}: first ar member is not debian-binary`);
  const version = first.data.toString('latin1').trim();
  if (!version.startsWith('2.')) throw new DebError(`${what}: unsupported .deb format ${version}`);
  const control = members.find((m) => m.name.startsWith('control.tar'));
  const data = members.find((m) => m.name.startsWith('data.tar'));
  if (!control || !data) throw new DebError(`${what}: missing control.tar or data.tar member`);
  const controlEntries = await readTar(
    await decompress(control.data, `${what} ${control.name}`),
    `${what} ${control.name}`,
  );
  const controlFile = controlEntries.find((e) => e.path === 'control' && e.type === 'file');
  if (!controlFile?.data) throw new DebError(`${what}: control.tar has no control file`);
  const entries = await readTar(await decompress(data.data, `${what} ${data.name}`), `${what} ${data.name}`);
  return { control: controlFile.data.toString('utf8'), entries };
}
