import type { Contract } from '../contract/schema.ts';
import type { ImageFacts } from '../model/image-facts.ts';
import { textOf } from './users.ts';

/** What an image is, for the report; informational only, never judged. */
interface ImageDescription {
  base?: string;
  osId?: string;
  osVersionId?: string;
  python?: string;
  sizeBytes: number;
  sizeText: string;
  layerCount: number;
  architecture: string;
  variant?: string;
  notes: string[];
}

export function parseOsRelease(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m) out[m[1]!] = m[2]!.replace(/^(["'])(.*)\1$/, '$2');
  }
  return out;
}

/** Python versions from the stdlib directories (/usr/lib/python3.11) and interpreters (/usr/bin/python3.11). */
function pythonVersions(facts: ImageFacts): string[] {
  const found = new Set<string>();
  for (const p of facts.fs.entries.keys()) {
    const m =
      /^\/usr(?:\/local)?\/lib\/python(3\.\d+)(?:\/|$)/.exec(p) ?? /^\/usr(?:\/local)?\/bin\/python(3\.\d+)$/.exec(p);
    if (m) found.add(m[1]!);
  }
  return [...found].sort((a, b) => Number(a.split('.')[1]) - Number(b.split('.')[1]));
}

const mb = (n: number) => `${(n / 1_000_000).toFixed(1)} MB`;

export function describeImage(facts: ImageFacts, contract?: Contract): ImageDescription {
  const os = parseOsRelease(textOf(facts.fs, '/etc/os-release') ?? textOf(facts.fs, '/usr/lib/os-release') ?? '');
  const pythons = pythonVersions(facts);
  const notes: string[] = [];
  if (os.ID === 'debian' && os.VERSION_ID === '12') {
    const eos = contract?.base.endOfSupport;
    notes.push(
      `distroless debian12 reached end of support in 2026${eos ? ` (${eos})` : ''}: plan a move to a debian13 base`,
    );
  }
  if (!os.ID) notes.push('no os-release in the image: base OS unknown');
  if (pythons.length > 1) notes.push(`more than one Python: ${pythons.join(', ')}`);
  return {
    ...(os.PRETTY_NAME && { base: os.PRETTY_NAME }),
    ...(os.ID && { osId: os.ID }),
    ...(os.VERSION_ID && { osVersionId: os.VERSION_ID }),
    ...(pythons.length && { python: pythons.join(', ') }),
    sizeBytes: facts.size,
    sizeText: mb(facts.size),
    layerCount: facts.layerCount,
    architecture: facts.architecture,
    ...(facts.variant && { variant: facts.variant }),
    notes,
  };
}
