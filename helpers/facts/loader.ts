/**
 * The dynamic loader's search, replayed over the merged filesystem: PT_INTERP, then every DT_NEEDED through
 * DT_RPATH (of the object and its loaders, when it has no DT_RUNPATH), LD_LIBRARY_PATH, DT_RUNPATH, the
 * directories of /etc/ld.so.conf (with its includes), and the loader's default directories — recursively for
 * the libraries found, each name loaded once (glibc's rule), as ld.so(8) describes it.
 */
import { posix } from 'node:path';
import { envValue, isRegularFile, resolvePath } from './resolve.ts';
import type { FsEntry, FsIndex } from '../model/image-facts.ts';

/** Debian multiarch triplet and $PLATFORM per ELF machine. */
const MACHINE_DIRS: Record<string, { triplet?: string; platform: string; lib64?: boolean }> = {
  'x86-64': { triplet: 'x86_64-linux-gnu', platform: 'x86_64', lib64: true },
  aarch64: { triplet: 'aarch64-linux-gnu', platform: 'aarch64', lib64: true },
  arm: { triplet: 'arm-linux-gnueabihf', platform: 'v7l' },
  x86: { triplet: 'i386-linux-gnu', platform: 'i686' },
  riscv: { triplet: 'riscv64-linux-gnu', platform: 'riscv64', lib64: true },
  ppc64: { triplet: 'powerpc64le-linux-gnu', platform: 'ppc64le', lib64: true },
  s390x: { triplet: 's390x-linux-gnu', platform: 's390x', lib64: true },
};

export const tripletOf = (machine: string | undefined): string | undefined =>
  machine ? MACHINE_DIRS[machine]?.triplet : undefined;

/**
 * The directories a loader searches last, compiled in: Debian's glibc puts the multiarch dirs first, upstream
 * glibc uses lib64 on 64-bit machines; musl uses /lib, /usr/local/lib, /usr/lib.
 */
export function defaultLibDirs(machine: string | undefined, interp?: string): string[] {
  if (interp && /ld-musl-/.test(interp)) return ['/lib', '/usr/local/lib', '/usr/lib'];
  const m = machine ? MACHINE_DIRS[machine] : undefined;
  return [
    ...(m?.triplet ? [`/lib/${m.triplet}`, `/usr/lib/${m.triplet}`] : []),
    ...(m?.lib64 ? ['/lib64', '/usr/lib64'] : []),
    '/lib',
    '/usr/lib',
  ];
}

const globToRegex = (glob: string): RegExp =>
  new RegExp(
    `^${glob
      .replace(/[.+^${}()|\\]/g, '\\$&')
      .replace(/\*/g, '[^/]*')
      .replace(/\?/g, '[^/]')}$`,
  );

/** Directories /etc/ld.so.conf names, following `include` globs over the captured ld.so.conf.d files. */
export function ldSoConfDirs(ix: FsIndex): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const read = (file: string, depth: number) => {
    if (seen.has(file) || depth > 8) return;
    seen.add(file);
    for (const raw of (ix.texts.get(file) ?? '').split('\n')) {
      const line = raw.replace(/#.*/, '').trim();
      if (!line || line.startsWith('hwcap ')) continue;
      const inc = /^include\s+(.+)$/.exec(line);
      if (inc) {
        for (const pat of inc[1]!.split(/\s+/)) {
          const abs = posix.isAbsolute(pat) ? pat : posix.join('/etc', pat);
          const re = globToRegex(abs);
          for (const p of [...ix.texts.keys()].filter((k) => re.test(k)).sort()) read(p, depth + 1);
        }
        continue;
      }
      for (const d of line.split(/[:,\s]+/)) if (d.startsWith('/')) out.push(d.replace(/\/+$/, '') || '/');
    }
  };
  read('/etc/ld.so.conf', 0);
  return out;
}

/** An ELF object as the loader holds it: the path it was opened by (for $ORIGIN) and who loaded it. */
interface Loaded {
  path: string;
  entry: FsEntry;
  parent?: Loaded;
}

/** $ORIGIN, $LIB and $PLATFORM in a search path entry; an empty entry is the working directory. */
function expand(dir: string, origin: string, machine: string | undefined, workingDir: string): string {
  const m = machine ? MACHINE_DIRS[machine] : undefined;
  const d = dir
    .replace(/\$(\{ORIGIN\}|ORIGIN\b)/g, origin)
    .replace(/\$(\{LIB\}|LIB\b)/g, m?.triplet ? `lib/${m.triplet}` : 'lib')
    .replace(/\$(\{PLATFORM\}|PLATFORM\b)/g, m?.platform ?? '');
  return d === '' ? workingDir : d;
}

interface LoaderProblem {
  /** What is missing, e.g. `needs libpython3.11.so.1.0 (DT_NEEDED of /usr/local/bin/python3.11)`. */
  missing: string;
  /** Where the loader looked. */
  searched: string[];
}

interface LoaderOptions {
  env: readonly string[];
  workingDir: string;
}

/**
 * The loader's problems for an ELF program (its resolved path in the image): a missing PT_INTERP, every
 * DT_NEEDED that resolves nowhere (with the dirs searched). Libraries whose dynamic section could not be read
 * are taken as found and not followed.
 */
export function loaderProblems(
  ix: FsIndex,
  programPath: string,
  program: FsEntry,
  opts: LoaderOptions,
): LoaderProblem[] {
  const out: LoaderProblem[] = [];
  const machine = program.elf;
  const loadedNames = new Set<string>();
  if (program.interp) {
    const r = resolvePath(ix, program.interp);
    if (!isRegularFile(r.entry) || r.error) {
      out.push({
        missing: `needs its program interpreter ${program.interp} (PT_INTERP of ${programPath})${r.path !== program.interp ? `, resolved to ${r.path}` : ''}`,
        searched: [program.interp],
      });
    } else {
      // The loader is loaded already: a DT_NEEDED of its name (aarch64 binaries list it) needs no search.
      loadedNames.add(posix.basename(program.interp));
      if (r.entry?.soname) loadedNames.add(r.entry.soname);
    }
  }
  const ldLibraryPath = (envValue(opts.env, 'LD_LIBRARY_PATH') ?? '').split(/[:;]/);
  const hasLdPath = envValue(opts.env, 'LD_LIBRARY_PATH') !== undefined;
  const confDirs = ldSoConfDirs(ix);
  const defaults = defaultLibDirs(machine, program.interp);
  const root: Loaded = { path: programPath, entry: program };
  const queue: Loaded[] = [root];
  const visited = new Set<string>([programPath]);
  while (queue.length) {
    const obj = queue.shift()!;
    const origin = posix.dirname(obj.path);
    for (const name of obj.entry.needed ?? []) {
      if (loadedNames.has(name)) continue;
      const dirs: string[] = [];
      if (name.includes('/')) {
        dirs.push(
          posix.isAbsolute(name) ? posix.dirname(name) : posix.join(opts.workingDir || '/', posix.dirname(name)),
        );
      } else {
        // DT_RPATH of this object and of each loader above it, unless this object has a DT_RUNPATH.
        if (!obj.entry.runpath) {
          for (let l: Loaded | undefined = obj; l; l = l.parent) {
            if (l.entry.rpath && !l.entry.runpath)
              dirs.push(
                ...l.entry.rpath.split(':').map((d) => expand(d, posix.dirname(l!.path), machine, opts.workingDir)),
              );
          }
        }
        if (hasLdPath)
          dirs.push(...ldLibraryPath.map((d) => expand(d, posix.dirname(programPath), machine, opts.workingDir)));
        if (obj.entry.runpath)
          dirs.push(...obj.entry.runpath.split(':').map((d) => expand(d, origin, machine, opts.workingDir)));
        dirs.push(...confDirs, ...defaults);
      }
      const searched = [...new Set(dirs)];
      let found: Loaded | undefined;
      for (const d of searched) {
        const candidate = posix.join(d, posix.basename(name));
        const r = resolvePath(ix, candidate);
        // The loader skips a file for another machine (wrong ELF class or e_machine) and searches on.
        if (!r.error && isRegularFile(r.entry) && r.entry!.elf && (!machine || r.entry!.elf === machine)) {
          found = { path: posix.normalize(candidate), entry: r.entry!, parent: obj };
          break;
        }
      }
      if (!found) {
        out.push({ missing: `needs ${name} (DT_NEEDED of ${obj.path})`, searched });
        loadedNames.add(name); // reported once, as the loader would stop at the first
        continue;
      }
      loadedNames.add(name);
      if (found.entry.soname) loadedNames.add(found.entry.soname);
      const real = resolvePath(ix, found.path).path;
      if (!visited.has(real) && !found.entry.dynamicUnread) {
        visited.add(real);
        queue.push(found);
      }
    }
  }
  return out;
}
