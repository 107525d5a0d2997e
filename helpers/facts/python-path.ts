/**
 * Python's import search replayed over the merged filesystem: which sys.path an interpreter would build
 * (script dir or working dir, PYTHONPATH, its stdlib and lib-dynload, site dirs and their .pth lines, a venv's
 * site-packages) and whether a dotted module name resolves on it (packages with __init__, namespace packages,
 * .py, sourceless .pyc, extension modules).
 */
import { posix } from 'node:path';
import { tripletOf } from './loader.ts';
import { envValue, isRegularFile, resolvePath } from './resolve.ts';
import { parseOsRelease } from './describe.ts';
import { lookupUser, parsePasswd, textOf } from './users.ts';
import type { FsIndex } from '../model/image-facts.ts';

interface PythonPathInput {
  /** The interpreter as the command names it after PATH lookup (a venv is recognised from this path). */
  programPath: string;
  /** The interpreter file it resolves to, e.g. /usr/bin/python3.11. */
  realPath: string;
  machine?: string;
  env: readonly string[];
  workingDir: string;
  /** The image's User ("65532", "nonroot:nonroot"): whose home holds the user site dir when Env sets no HOME. */
  user?: string;
  /**
   * -I (isolated: no cwd/script dir, no PYTHONPATH, no user site), -E (no PYTHONPATH), -s (no user site), -S (no
   * site), -P (no cwd).
   */
  flags: ReadonlySet<string>;
  /** What goes first on sys.path: the working dir for -m and app runners, the script's dir for a script. */
  first?: string;
  /** Dirs an app runner adds in front (uvicorn --app-dir, gunicorn --chdir/--pythonpath). */
  extra?: readonly string[];
}

export interface PythonPath {
  dirs: { dir: string; why: string }[];
  version?: string;
  /**
   * Dirs on sys.path that the User cannot list or enter (an ancestor without x, the dir without r or x for it):
   * python's path finder skips them silently, so nothing in them imports. Left out of `dirs`.
   */
  blocked?: { dir: string; why: string; reason: string }[];
}

const implicitDirs = new WeakMap<FsIndex, Set<string>>();

/** Directories that exist because something lies below them (layer tars need not list parents). */
function dirsOf(ix: FsIndex): Set<string> {
  let s = implicitDirs.get(ix);
  if (!s) {
    s = new Set();
    for (const [p, e] of ix.entries) {
      if (e.type === 'dir') s.add(p);
      for (let d = posix.dirname(p); d !== '/' && !s.has(d); d = posix.dirname(d)) s.add(d);
    }
    implicitDirs.set(ix, s);
  }
  return s;
}

function isDir(ix: FsIndex, path: string): boolean {
  const r = resolvePath(ix, path);
  if (r.entry) return r.entry.type === 'dir' && !r.error;
  return r.error === 'not-found' && dirsOf(ix).has(r.path);
}

const isFile = (ix: FsIndex, path: string): boolean => {
  const r = resolvePath(ix, path);
  return !r.error && isRegularFile(r.entry);
};

/** "3.11" from python3.11 (or from the stdlib dirs the image holds when the name says only python3). */
function pythonVersion(ix: FsIndex, realPath: string, prefix: string): string | undefined {
  const m = /python(\d)\.(\d+)/.exec(posix.basename(realPath));
  if (m) return `${m[1]}.${m[2]}`;
  const re = new RegExp(`^${prefix.replace(/\W/g, '\\$&')}/lib/python(\\d\\.\\d+)/os\\.py$`);
  for (const p of ix.entries.keys()) {
    const h = re.exec(p);
    if (h) return h[1];
  }
  return undefined;
}

/**
 * The home dir python's site.py expands "~" to: HOME from Env, else the one Docker sets from the image's passwd for
 * the User (runc sets "/" when the user is not there).
 */
function homeOf(ix: FsIndex, env: readonly string[], user = ''): string {
  const home = envValue(env, 'HOME');
  if (home !== undefined) return home;
  const name = user.split(':')[0] || '0';
  const text = textOf(ix, '/etc/passwd');
  const pw =
    text === undefined
      ? undefined
      : parsePasswd(text).find((p) => (/^\d+$/.test(name) ? p.uid === Number(name) : p.name === name));
  return pw?.home || '/';
}

/**
 * pyvenv.cfg's include-system-site-packages (python -m venv --system-site-packages writes "true"); site.py reads
 * a missing key as true. Unread text: the venv module always writes the key, false unless asked.
 */
function includesSystemSite(cfg: string | undefined): boolean {
  if (cfg === undefined) return false;
  for (const line of cfg.split('\n')) {
    const [key = '', ...rest] = line.split('=');
    if (key.trim().toLowerCase() === 'include-system-site-packages')
      return rest.join('=').trim().toLowerCase() === 'true';
  }
  return true;
}

/** The image is Debian (or derived from it) by its os-release; without one, the contract's Debian base is assumed. */
function isDebian(ix: FsIndex): boolean {
  const text = textOf(ix, '/etc/os-release') ?? textOf(ix, '/usr/lib/os-release');
  if (text === undefined) return true;
  const os = parseOsRelease(text);
  return [os.ID, ...(os.ID_LIKE ?? '').split(/\s+/)].includes('debian');
}

/**
 * Why `uid`/`gid` cannot list `dir` (every ancestor searchable, the dir itself readable and searchable), judged
 * by the owner/group/other bits as the kernel does for a process without CAP_DAC_OVERRIDE; undefined when it can.
 * Dirs no layer lists are taken as 0755 root. `gids`: the primary group, then the supplementary ones.
 */
function listBlocked(ix: FsIndex, dir: string, uid: number, gids: readonly number[]): string | undefined {
  if (uid === 0) return undefined;
  const real = resolvePath(ix, dir).path;
  const parts = real.split('/').filter(Boolean);
  for (let n = 0; n <= parts.length; n++) {
    const d = '/' + parts.slice(0, n).join('/');
    const e = ix.entries.get(d);
    if (!e) continue;
    const bits = e.uid === uid ? (e.mode >> 6) & 7 : gids.includes(e.gid) ? (e.mode >> 3) & 7 : e.mode & 7;
    const need = n === parts.length ? 5 : 1;
    if ((bits & need) !== need) {
      const mode = (e.mode & 0o7777).toString(8).padStart(4, '0');
      return `${d} is ${mode} ${e.uid}:${e.gid}, so uid ${uid} cannot ${need === 1 ? 'enter' : 'list'} it`;
    }
  }
  return undefined;
}

export function pythonPath(ix: FsIndex, i: PythonPathInput): PythonPath {
  const path = pythonPathDirs(ix, i);
  const who = i.user === undefined ? undefined : lookupUser(ix, i.user);
  if (!who?.ok) return path;
  const blocked: { dir: string; why: string; reason: string }[] = [];
  const dirs = path.dirs.filter((d) => {
    const gids = [who.gid, ...(who.extraGids ?? [])];
    const reason = isDir(ix, d.dir) ? listBlocked(ix, d.dir, who.uid, gids) : undefined;
    if (reason) blocked.push({ ...d, reason });
    return !reason;
  });
  return blocked.length ? { ...path, dirs, blocked } : path;
}

function pythonPathDirs(ix: FsIndex, i: PythonPathInput): PythonPath {
  const dirs: { dir: string; why: string }[] = [];
  const add = (dir: string, why: string) => {
    const d = posix.normalize(posix.isAbsolute(dir) ? dir : posix.join(i.workingDir || '/', dir));
    if (!dirs.some((x) => x.dir === d)) dirs.push({ dir: d, why });
  };
  const isolated = i.flags.has('I');
  for (const d of i.extra ?? []) add(d, 'app dir');
  // Python ignores an environment variable set to "" (PYTHONSAFEPATH= does not switch safe path on); an empty entry
  // of a non-empty PYTHONPATH (":", "/x::/y") is the working dir, made absolute at startup, even under -P.
  if (i.first !== undefined && !isolated && !i.flags.has('P') && !envValue(i.env, 'PYTHONSAFEPATH'))
    add(i.first, i.first === (i.workingDir || '/') ? 'WorkingDir' : 'script dir');
  const pythonPathEnv = envValue(i.env, 'PYTHONPATH');
  if (!isolated && !i.flags.has('E') && pythonPathEnv) for (const d of pythonPathEnv.split(':')) add(d, 'PYTHONPATH');
  const home = !isolated && !i.flags.has('E') ? envValue(i.env, 'PYTHONHOME') : undefined;
  const prefix = home?.split(':')[0] || posix.dirname(posix.dirname(i.realPath));
  const version = pythonVersion(ix, i.realPath, prefix);
  if (!version) return { dirs };
  const nodot = version.replace('.', '');
  const zip = `${prefix}/lib/python${nodot}.zip`;
  if (isFile(ix, zip)) add(zip, 'stdlib zip');
  add(`${prefix}/lib/python${version}`, 'stdlib');
  add(`${prefix}/lib/python${version}/lib-dynload`, 'lib-dynload');
  if (!i.flags.has('S')) {
    // site.py finds pyvenv.cfg beside the executable or one dir up; the venv is the dir above the executable's.
    const exeDir = posix.dirname(i.programPath);
    const cfg = [exeDir, posix.dirname(exeDir)].map((d) => `${d}/pyvenv.cfg`).find((f) => isFile(ix, f));
    const inVenv = cfg !== undefined;
    const venv = posix.dirname(exeDir);
    const systemSite = !inVenv || includesSystemSite(textOf(ix, cfg));
    const debian = prefix === '/usr' && isDebian(ix);
    // Debian's site.py (checked with bookworm's python3.11): <prefix>/local/lib/pythonX.Y/dist-packages,
    // <prefix>/lib/python3/dist-packages, <prefix>/lib/pythonX.Y/dist-packages, and no site-packages outside a
    // venv; upstream CPython (python:3.11-slim's /usr/local) uses <prefix>/lib/pythonX.Y/site-packages.
    const systemSites = (p: string) =>
      debian
        ? [
            `${p}/local/lib/python${version}/dist-packages`,
            `${p}/lib/python3/dist-packages`,
            `${p}/lib/python${version}/dist-packages`,
          ]
        : [`${p}/lib/python${version}/site-packages`];
    // site.ENABLE_USER_SITE: off with -s/-I, PYTHONNOUSERSITE (ignored under -E) or in a venv that does not
    // include the system site dirs; ~/.local on Linux.
    const noUserSite =
      isolated ||
      i.flags.has('s') ||
      !systemSite ||
      (!i.flags.has('E') && Boolean(envValue(i.env, 'PYTHONNOUSERSITE')));
    const userBase = (!i.flags.has('E') && envValue(i.env, 'PYTHONUSERBASE')) || `${homeOf(ix, i.env, i.user)}/.local`;
    // In the order site.py adds them: the venv's own, the user site, the system's.
    const sites = [
      ...(inVenv ? [`${venv}/lib/python${version}/site-packages`, ...(debian ? systemSites(venv) : [])] : []),
      ...(noUserSite ? [] : [`${userBase}/lib/python${version}/site-packages`]),
      ...(systemSite ? systemSites(prefix) : []),
    ];
    for (const s of sites) {
      if (!isDir(ix, s)) continue;
      add(s, s.startsWith(`${posix.normalize(userBase)}/`) ? 'user site' : 'site');
      // .pth lines name more dirs (relative to the site dir, or absolute: site.py joins them as os.path.join
      // does, as an editable install's line /srv/src); "import" lines run code and add nothing known.
      for (const [p, text] of ix.texts) {
        if (posix.dirname(p) !== s || !p.endsWith('.pth')) continue;
        for (const line of text.split('\n').map((l) => l.trim()))
          if (line && !line.startsWith('#') && !/^import[\s\t]/.test(line))
            add(posix.resolve(s, line), `${posix.basename(p)}`);
      }
    }
  }
  return { dirs, version };
}

interface ModuleLookup {
  /** The file or package dir the module resolved to. */
  found?: string;
  /** Why it did not resolve: the first part that did not, and where. */
  problem?: string;
  /** A zip on the path could hold it: not judged. */
  unknown?: boolean;
}

/** File names an importable module `name` may have in a directory (source, sourceless, extension). */
function moduleFiles(name: string, version: string | undefined, machine: string | undefined): string[] {
  const t = tripletOf(machine);
  const tag = version ? `cpython-${version.replace('.', '')}` : undefined;
  // FileFinder's order: extension modules, then source, then sourceless bytecode.
  return [
    ...(tag && t ? [`${name}.${tag}-${t}.so`] : []),
    `${name}.abi3.so`,
    `${name}.so`,
    `${name}.py`,
    `${name}.pyc`,
  ];
}

/**
 * Resolves `dotted` over `path` as importlib's path finder does: the first regular package or module of the
 * first part wins; without one, every dir of that name is a namespace portion. `main`: a package must hold a
 * __main__ module (python -m pkg).
 */
export function findModule(
  ix: FsIndex,
  dotted: string,
  path: PythonPath,
  machine?: string,
  main = false,
): ModuleLookup {
  const parts = dotted.split('.');
  let portions = path.dirs.map((d) => d.dir);
  const hasZip = portions.some((d) => /\.(zip|egg|whl)$/.test(d) && isFile(ix, d));
  for (let n = 0; n < parts.length; n++) {
    const name = parts[n]!;
    const last = n === parts.length - 1;
    const sofar = parts.slice(0, n + 1).join('.');
    let module: string | undefined;
    let regular: string | undefined;
    const namespace: string[] = [];
    for (const d of portions) {
      // Within one dir: a package (dir with __init__), else a module file, else the dir is a namespace portion,
      // used only when no later dir holds a package or module of that name.
      const pkg = posix.join(d, name);
      const dirHere = isDir(ix, pkg);
      if (dirHere && moduleFiles('__init__', path.version, machine).some((f) => isFile(ix, posix.join(pkg, f)))) {
        regular = pkg;
        break;
      }
      const f = moduleFiles(name, path.version, machine)
        .map((x) => posix.join(d, x))
        .find((x) => isFile(ix, x));
      if (f) {
        module = f;
        break;
      }
      if (dirHere) namespace.push(pkg);
    }
    const blocked = path.blocked?.length
      ? `; not searched, though on the path: ${path.blocked.map((b) => `${b.dir} (${b.reason})`).join(', ')}`
      : '';
    const where =
      n === 0 ? portions.join(', ') + blocked : `${portions.join(', ')} (the ${parts.slice(0, n).join('.')} package)`;
    if (module) {
      if (last) return { found: module };
      return {
        problem: `${parts.slice(0, n + 1).join('.')} is the module ${module}, not a package, so ${dotted} cannot be below it`,
      };
    }
    const dirs = regular ? [regular] : namespace;
    if (!dirs.length) {
      if (hasZip && n === 0) return { unknown: true };
      return {
        problem: `no ${n === 0 ? '' : 'sub'}module or package "${name}"${n ? ` in ${sofar.slice(0, -name.length - 1)}` : ''}; looked in ${where}`,
      };
    }
    if (last) {
      if (!main) return { found: dirs[0] };
      const m = dirs
        .flatMap((d) => moduleFiles('__main__', path.version, machine).map((f) => posix.join(d, f)))
        .find((x) => isFile(ix, x));
      return m
        ? { found: m }
        : {
            problem: `${dotted} is a package (${dirs.join(', ')}) without a __main__ module, so python -m cannot run it`,
          };
    }
    portions = dirs;
  }
  return { problem: `empty module name "${dotted}"` };
}
