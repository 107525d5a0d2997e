import { posix } from 'node:path';
import type { Contract } from '../../contract/schema.ts';
import { findModule, pythonPath } from '../../facts/python-path.ts';
import { findProgram, resolvePath } from '../../facts/resolve.ts';
import { softwareTreeHits } from '../../facts/secret-files.ts';
import { PGPASS_IF_NAMED } from '../../facts/secret-formats.ts';
import type { ImageFacts, SecretFileHit } from '../../model/image-facts.ts';
import type { Finding } from '../../model/finding.ts';
import { commandOf, unwrapInit } from './program.ts';
import { appOf, pythonInvocation } from './programs-start.ts';
import { importedModules } from './probe-source.ts';
import { PYTHON_LIBRARY } from '../../facts/content-facts.ts';
import type { StaticCheck } from './types.ts';

export const NO_SECRET_FILES = 'no-secret-files';
/** A file full of secrets is one finding; its first hits are enough to act on. */
const SHOWN_PER_FILE = 4;

/** Glob over absolute paths: `*` stays within a segment, `**` crosses them; everything else is literal. */
export function pathGlob(glob: string): RegExp {
  const src = glob
    .split(/(\*\*|\*)/)
    .map((part) => (part === '**' ? '.*' : part === '*' ? '[^/]*' : part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${src}$`);
}

/** contract.secretFiles.allow as a predicate over (path, hit). */
function secretFileAllow(contract: Contract): (path: string, hit: SecretFileHit) => boolean {
  const rules = contract.secretFiles.allow.map((a) => ({
    path: a.path === undefined ? undefined : pathGlob(a.path),
    fingerprint: a.fingerprint,
  }));
  return (path, hit) =>
    rules.some((r) => (!r.path || r.path.test(path)) && (!r.fingerprint || r.fingerprint === hit.fingerprint));
}

const PYTHON = /^python[0-9.]*$/;
const RUNNERS = new Set(['uvicorn', 'gunicorn']);
const INFO_DIR = /\.(?:dist|egg)-info$/;
/** setuptools writes <name>.egg-info beside a project's own sources (pip install -e, egg_info): not a site dir. */
const PROJECT_FILES = ['setup.py', 'setup.cfg', 'pyproject.toml'];

const argvs = (facts: ImageFacts): string[][] => {
  const test = facts.config.Healthcheck?.Test ?? [];
  return [commandOf(facts), test[0] === 'CMD' ? test.slice(1) : []]
    .map((a) => unwrapInit(a).command)
    .filter((a) => a.length > 0);
};

/**
 * What the image's own command runs: the WorkingDir, and the script or module (or app of uvicorn/gunicorn) the
 * Entrypoint/Cmd and HEALTHCHECK give python. A dir holding any of them is the image's own code, not installed
 * software, even on the Python path (the real Lucid layout puts /app on PYTHONPATH).
 */
function ownCode(
  facts: ImageFacts,
  python: (program: string) => ReturnType<typeof pythonPath> | undefined,
  sites: ReadonlySet<string>,
): string[] {
  const wd = facts.config.WorkingDir || '/';
  const out = [wd];
  for (const [program = '', ...args] of argvs(facts)) {
    const name = posix.basename(program);
    const inv = PYTHON.test(name) ? pythonInvocation(args) : undefined;
    const runner = RUNNERS.has(name) ? name : inv?.module && RUNNERS.has(inv.module) ? inv.module : undefined;
    const module = runner ? appOf(runner, runner === name ? args : inv!.rest).module : inv?.module;
    if (inv?.script) out.push(resolvePath(facts.fs, inv.script, wd).path);
    const path = module ? python(PYTHON.test(name) ? program : 'python3') : undefined;
    const found = module && path ? findModule(facts.fs, module, path, undefined, !runner).found : undefined;
    if (found) out.push(found);
    // python3 -c "import app.main; …": the modules its code imports, less the interpreter's own library.
    const code = inv?.codeText;
    const codePath = code ? python(program) : undefined;
    for (const imported of code && codePath ? importedModules(code) : []) {
      const hit = findModule(facts.fs, imported.split('.')[0]!, codePath!, undefined, false).found;
      // A package pip installed (it lies in a site dir, beside *.dist-info) is what the code uses, not the image's own.
      const installed = hit !== undefined && [...sites].some((d) => hit.startsWith(`${d}/`));
      if (hit && !PYTHON_LIBRARY.test(hit) && !installed) out.push(hit);
    }
  }
  return out;
}

/**
 * Dirs of installed software the layer index could not tell by path: site dirs (they hold *.dist-info or
 * *.egg-info: pip install --target) and the dirs on the image's Python path (PYTHONPATH, .pth lines), less any dir
 * holding the image's own code.
 */
function softwareTrees(facts: ImageFacts, contract: Contract): string[] {
  const fs = facts.fs;
  const wd = facts.config.WorkingDir || '/';
  const paths = new Map<string, ReturnType<typeof pythonPath> | undefined>();
  const python = (program: string) => {
    if (!paths.has(program)) {
      const look = findProgram(fs, program, facts.config.Env, wd).found;
      paths.set(
        program,
        look?.entry
          ? pythonPath(fs, {
              programPath: look.candidate,
              realPath: look.path,
              ...(look.entry.elf && { machine: look.entry.elf }),
              env: facts.config.Env,
              workingDir: wd,
              user: facts.config.User,
              flags: new Set(),
            })
          : undefined,
      );
    }
    return paths.get(program);
  };
  const trees = new Set<string>();
  for (const [p, e] of fs.entries) {
    if (!INFO_DIR.test(p)) continue;
    const site = posix.dirname(p);
    const project = [site, posix.dirname(site)].some((d) => PROJECT_FILES.some((f) => fs.entries.has(`${d}/${f}`)));
    if (!project && (e.type === 'dir' || e.type === 'file')) trees.add(site);
  }
  const sites = new Set(trees);
  const interpreters = [contract.base.python, ...argvs(facts).map((a) => a[0]!)].filter((p) =>
    PYTHON.test(posix.basename(p)),
  );
  for (const program of interpreters) {
    // A dir the User cannot read is still where the packages were installed: their data, not secrets.
    const path = python(program);
    for (const d of [...(path?.dirs ?? []), ...(path?.blocked ?? [])]) trees.add(resolvePath(fs, d.dir).path);
  }
  const own = ownCode(facts, python, sites);
  const holds = (dir: string, path: string) => dir === '/' || path === dir || path.startsWith(`${dir}/`);
  return [...trees].filter((t) => !own.some((o) => holds(t, o)));
}

/**
 * The files libpq reads as a password file besides ~/.pgpass: PGPASSFILE, and a connection string's passfile=
 * (`postgresql://u@h/db?passfile=/x`, `host=h passfile=/x`) in any Env value; relative to the WorkingDir.
 */
function pgpassFiles(facts: ImageFacts): Set<string> {
  const wd = facts.config.WorkingDir || '/';
  const out = new Set<string>();
  for (const kv of facts.config.Env) {
    const eq = kv.indexOf('=');
    if (eq < 0) continue;
    const [name, value] = [kv.slice(0, eq), kv.slice(eq + 1)];
    const named = [
      ...(name === 'PGPASSFILE' && value ? [value] : []),
      ...[...value.matchAll(/(?:^|[\s?&;])passfile=([^\s&;'"]+)/g)].map((m) => m[1]!),
    ];
    for (const p of named) out.add(resolvePath(facts.fs, p, wd).path);
  }
  return out;
}

/**
 * No file of the merged filesystem holds a private key, or a literal password, token or secret in an env or
 * config file (hits scanned at gather time, by content: see helpers/facts/secret-files.ts). Each hit is shown
 * masked with its fingerprint, which is what a user puts in contract.secretFiles.allow to accept it.
 */
export const checkNoSecretFiles: StaticCheck = (facts, contract) => {
  const allowed = secretFileAllow(contract);
  const out: Finding[] = [];
  const files = [...(facts.fs.secrets ?? new Map<string, SecretFileHit[]>())].sort(([a], [b]) => a.localeCompare(b));
  let trees: string[] | undefined;
  const pgpass = pgpassFiles(facts);
  for (const [path, found] of files) {
    const entry = facts.fs.entries.get(path);
    if (!entry) continue; // removed by an upper layer: not in the image a container sees
    // A pgpass-shaped line of a file of another name counts when the config makes libpq read the file.
    const named = pgpass.has(path);
    const all = found.flatMap((h) =>
      h.kind !== PGPASS_IF_NAMED ? [h] : named ? [{ ...h, kind: 'a password (pgpass file the config names)' }] : [],
    );
    if (!all.length) continue;
    trees ??= softwareTrees(facts, contract);
    const software = trees.some((t) => path.startsWith(`${t}/`));
    const hits = (software ? softwareTreeHits(path, entry.size, all) : all).filter((h) => !allowed(path, h));
    if (!hits.length) continue;
    const shown = hits.slice(0, SHOWN_PER_FILE).map((h) => `line ${h.line}: ${h.kind}: ${h.shown} (${h.fingerprint})`);
    const more = hits.length > SHOWN_PER_FILE ? `; and ${hits.length - SHOWN_PER_FILE} more` : '';
    out.push({
      check: NO_SECRET_FILES,
      expected: 'no private key, password, token or secret in any file of the image (public certificates are fine)',
      seen: `${path} holds ${shown.join('; ')}${more}`,
      where: `image file ${path} (layer ${entry.layer ?? '?'})`,
    });
  }
  return out;
};
