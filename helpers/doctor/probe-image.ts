/**
 * The doctor's one-file test images, built without a registry: a docker-archive (manifest.json, config JSON,
 * one layer tar) loaded with `POST /images/load`. `docker import --platform` would record the wrong
 * architecture on engine 20.10; a loaded config keeps architecture and variant as written.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { pack } from 'tar-stream';
import { archOf, variantOf, type Platform } from '../model/platform.ts';
import { docker } from '../engine/docker.ts';
import { LABEL_OWNER, LABEL_ROLE } from '../engine/labels.ts';
import { aarch64Program, AARCH64_MESSAGE, x86_64Program, X86_64_MESSAGE } from './elf.ts';

export const PROBE_ROLE = 'doctor-probe';
const PROBE_PATH = '/probe';
const EPOCH = new Date(0); // fixed times: the same bytes, hence the same image id, on every build

const probeProgram = (p: Platform) => (archOf(p) === 'arm64' ? aarch64Program() : x86_64Program());
export const probeMessage = (p: Platform) => (archOf(p) === 'arm64' ? AARCH64_MESSAGE : X86_64_MESSAGE);

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function tarOf(entries: { name: string; data: Buffer; mode?: number }[]): Promise<Buffer> {
  const p = pack();
  for (const e of entries) p.entry({ name: e.name, mode: e.mode ?? 0o644, mtime: EPOCH, uid: 0, gid: 0 }, e.data);
  p.finalize();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    p.on('data', (c: unknown) => void chunks.push(c as Buffer));
    p.on('end', () => resolve(Buffer.concat(chunks)));
    p.on('error', reject);
  });
}

interface ProbeArchive {
  /** Image id as the engine will report it: sha256 of the config bytes. */
  id: string;
  config: Buffer;
  archive: Buffer;
}

export async function probeArchive(p: Platform): Promise<ProbeArchive> {
  const layer = await tarOf([{ name: PROBE_PATH.slice(1), data: probeProgram(p), mode: 0o755 }]);
  const config = Buffer.from(
    JSON.stringify({
      architecture: archOf(p),
      ...(variantOf(p) ? { variant: variantOf(p) } : {}),
      os: 'linux',
      created: EPOCH.toISOString(),
      // No run id in the image labels: it would change the image id on every run.
      config: {
        Entrypoint: [PROBE_PATH],
        User: '65534:65534',
        Labels: { [LABEL_OWNER]: 'true', [LABEL_ROLE]: PROBE_ROLE },
      },
      rootfs: { type: 'layers', diff_ids: [`sha256:${sha256(layer)}`] },
      history: [{ created: EPOCH.toISOString(), created_by: 'lucid-harness doctor: hand-assembled static ELF' }],
    }),
  );
  const id = sha256(config);
  const manifest = [{ Config: `${id}.json`, RepoTags: [], Layers: [`${sha256(layer)}/layer.tar`] }];
  const archive = await tarOf([
    { name: 'manifest.json', data: Buffer.from(JSON.stringify(manifest)) },
    { name: `${id}.json`, data: config },
    { name: `${sha256(layer)}/layer.tar`, data: layer },
  ]);
  return { id: `sha256:${id}`, config, archive };
}

/** Loads the probe image unless the engine already has it (same bytes, same id); returns its id. */
export async function ensureProbeImage(p: Platform): Promise<string> {
  const { id, archive } = await probeArchive(p);
  const present = await docker()
    .getImage(id)
    .inspect()
    .then(
      () => true,
      () => false,
    );
  if (present) return id;
  const res = await docker().loadImage(Readable.from([archive]));
  let body = '';
  for await (const chunk of res) body += String(chunk);
  const error = /"error":\s*"([^"]*)"/.exec(body);
  if (error) throw new Error(`loading the ${p} probe image failed: ${error[1]}`);
  const got = await docker().getImage(id).inspect();
  if (got.Architecture !== archOf(p)) throw new Error(`the ${p} probe image loaded as ${got.Os}/${got.Architecture}`);
  return id;
}
