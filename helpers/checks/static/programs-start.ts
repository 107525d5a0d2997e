import { posix } from 'node:path';
import { loaderProblems } from '../../facts/loader.ts';
import { findModule, pythonPath, type PythonPath } from '../../facts/python-path.ts';
import { findProgram, isExecutable, resolvePath } from '../../facts/resolve.ts';
import type { FsEntry, ImageFacts } from '../../model/image-facts.ts';
import type { Finding } from '../../model/finding.ts';
import { commandOf, unwrapInit } from './program.ts';
import { NotRun } from '../../model/verdict.ts';
import type { StaticCheck } from './types.ts';

export const PROGRAMS_START = 'programs-start';

/** Linux follows at most 4 nested "#!" interpreters (BINPRM_MAX_RECURSION). */
const MAX_SCRIPT_DEPTH = 4;
const PYTHON = /^python[0-9.]*$/;
const APP_RUNNERS = new Set(['uvicorn', 'gunicorn']);
/** Python options that take a value: `-W arg`, `-X opt` (or glued: `-Wignore`). */
const PY_VALUE_OPTS = new Set(['W', 'X']);

interface Ctx {
  facts: ImageFacts;
  field: string;
  argv: readonly string[];
  out: Finding[];
  /** What could not be judged (a module that may lie inside a zip on the path): NotRun when nothing failed. */
  unread: string[];
}

const pathList = (p: PythonPath) =>
  p.dirs.map((d) => `${d.dir} (${d.why})`).join(', ') || 'nothing (no interpreter dirs found)';

function push(c: Ctx, expected: string, seen: string, file?: string): void {
  c.out.push({
    check: PROGRAMS_START,
    expected,
    seen,
    where: `image config: ${c.field} ${JSON.stringify(c.argv)}${file ? `; image file ${file}` : ''}`,
  });
}

/** python's own options up to the module, script or `-c`: flags, `-m mod`, the script and the arguments after. */
export function pythonInvocation(args: readonly string[]): {
  flags: Set<string>;
  module?: string;
  script?: string;
  rest: string[];
  code?: boolean;
  /** `-c` code: its text (glued, `-cCODE`, or the next argument) and the index of the argument that holds it. */
  codeText?: string;
  codeArg?: number;
} {
  const flags = new Set<string>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--')
      return { flags, ...(args[i + 1] !== undefined && { script: args[i + 1] }), rest: args.slice(i + 2) };
    if (a === '-' || !a.startsWith('-') || a.startsWith('--')) {
      if (a.startsWith('--')) continue; // --version, --help and the like: nothing to resolve
      return { flags, script: a, rest: args.slice(i + 1) };
    }
    for (let k = 1; k < a.length; k++) {
      const ch = a[k]!;
      if (ch === 'c') {
        const glued = a.slice(k + 1);
        const codeArg = glued ? i : i + 1;
        const codeText = glued || args[i + 1];
        return { flags, code: true, ...(codeText !== undefined && { codeText, codeArg }), rest: [] };
      }
      if (ch === 'm') {
        const glued = a.slice(k + 1);
        const module = glued || args[i + 1];
        return { flags, ...(module && { module }), rest: args.slice(glued ? i + 1 : i + 2) };
      }
      if (PY_VALUE_OPTS.has(ch)) {
        if (k === a.length - 1) i++;
        break;
      }
      flags.add(ch);
    }
  }
  return { flags, rest: [] };
}

/**
 * The options of uvicorn and gunicorn that take no value (flags); every other option takes one, as the next word
 * unless glued ("--bind=:80", "-b:80", "-w4"). From uvicorn's and gunicorn's documented settings.
 */
const RUNNER_FLAGS: Record<string, ReadonlySet<string>> = {
  uvicorn: new Set(
    [
      'reload',
      'factory',
      'use-colors',
      'no-use-colors',
      'access-log',
      'no-access-log',
      'proxy-headers',
      'no-proxy-headers',
      'server-header',
      'no-server-header',
      'date-header',
      'no-date-header',
      'version',
      'help',
    ].map((f) => `--${f}`),
  ),
  gunicorn: new Set([
    ...[
      'reload',
      'spew',
      'check-config',
      'print-config',
      'preload',
      'no-sendfile',
      'reuse-port',
      'daemon',
      'initgroups',
      'capture-output',
      'log-syslog',
      'enable-stdio-inheritance',
      'strip-header-spaces',
      'suppress-ragged-eofs',
      'do-handshake-on-connect',
      'disable-redirect-access-to-syslog',
      'permit-obsolete-folding',
      'permit-unconventional-http-method',
      'permit-unconventional-http-version',
      'casefold-http-method',
      'version',
      'help',
    ].map((f) => `--${f}`),
    '-D',
    '-R',
    '-v',
    '-h',
  ]),
};

/** The app a uvicorn/gunicorn command line names ("pkg.mod:app"), and the dirs it adds to sys.path. */
export function appOf(runner: string, args: readonly string[]): { module?: string; dirs: string[] } {
  const dirs: string[] = [];
  const positional: string[] = [];
  const flags = RUNNER_FLAGS[runner] ?? new Set<string>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') {
      positional.push(...args.slice(i + 1));
      break;
    }
    if (!a.startsWith('-') || a === '-') {
      positional.push(a);
      continue;
    }
    const long = a.startsWith('--');
    const name = long ? a.split('=')[0]! : a.slice(0, 2);
    const glued = long ? a.includes('=') : a.length > 2;
    const value = flags.has(name) ? undefined : glued ? (long ? a.slice(name.length + 1) : a.slice(2)) : args[++i];
    if (value !== undefined && /^(?:--app-dir|--chdir|--pythonpath)$/.test(name))
      dirs.push(...(name === '--pythonpath' ? value.split(',') : [value]).filter(Boolean));
  }
  const spec = /^[A-Za-z_][\w.]*:/;
  // uvicorn's APP is always module:attribute; gunicorn's may be a bare module, and comes last.
  const app =
    positional.find((p) => spec.test(p)) ??
    (runner === 'gunicorn' ? positional.filter((p) => /^[A-Za-z_][\w.]*$/.test(p)).at(-1) : undefined);
  return { ...(app && { module: app.split(':')[0] }), dirs };
}

function judgeModule(
  c: Ctx,
  module: string,
  path: PythonPath,
  machine: string | undefined,
  main: boolean,
  how: string,
  file: string,
): void {
  const r = findModule(c.facts.fs, module, path, machine, main);
  if (r.unknown) {
    const zips = path.dirs.filter((d) => /\.(?:zip|egg|pyz|whl)$/i.test(d.dir)).map((d) => d.dir);
    c.unread.push(
      `${how}: ${module} may be inside ${zips.join(', ') || 'a zip archive on the path'}, which is not read`,
    );
  }
  if (r.found || r.unknown) return;
  push(
    c,
    `the module ${how} names resolves on the image's Python path`,
    `${how} cannot import ${module}: ${r.problem}`,
    `${file}; Python path: ${pathList(path)}`,
  );
}

function judgePython(c: Ctx, program: string, real: string, entry: FsEntry, args: readonly string[]): void {
  const inv = pythonInvocation(args);
  const wd = c.facts.config.WorkingDir || '/';
  const base = {
    programPath: program,
    realPath: real,
    ...(entry.elf && { machine: entry.elf }),
    env: c.facts.config.Env,
    workingDir: wd,
    user: c.facts.config.User,
    flags: inv.flags,
  };
  const name = posix.basename(program);
  if (inv.module) {
    const path = pythonPath(c.facts.fs, { ...base, first: wd });
    judgeModule(c, inv.module, path, entry.elf, true, `${name} -m ${inv.module}`, real);
    if (APP_RUNNERS.has(inv.module)) judgeApp(c, inv.module, inv.rest, { ...base, first: wd }, entry.elf, real);
  } else if (inv.script && APP_RUNNERS.has(posix.basename(inv.script))) {
    judgeApp(c, posix.basename(inv.script), inv.rest, { ...base, first: wd }, entry.elf, real);
  }
  // A script path's existence is the entrypoint/healthcheck checks' business, not repeated here.
}

function judgeApp(
  c: Ctx,
  runner: string,
  args: readonly string[],
  base: Parameters<typeof pythonPath>[1],
  machine: string | undefined,
  real: string,
): void {
  const app = appOf(runner, args);
  if (!app.module) return;
  const path = pythonPath(c.facts.fs, { ...base, extra: app.dirs });
  judgeModule(
    c,
    app.module,
    path,
    machine,
    false,
    `${runner} ${args.find((a) => a.startsWith(app.module!)) ?? app.module}`,
    real,
  );
}

/** Whether `program` (found at `path`, resolving to `real`) can start, and what it is asked to run can load. */
function judgeProgram(
  c: Ctx,
  program: string,
  path: string,
  real: string,
  entry: FsEntry,
  args: readonly string[],
  depth: number,
): void {
  const fs = c.facts.fs;
  const env = c.facts.config.Env;
  const wd = c.facts.config.WorkingDir || '/';
  if (entry.elf) {
    for (const p of loaderProblems(fs, real, entry, { env, workingDir: wd })) {
      push(
        c,
        `${program} can start: its ELF interpreter and every DT_NEEDED library resolve in the image`,
        `${p.missing}; searched ${p.searched.join(', ') || 'nowhere'}: not found`,
        real,
      );
    }
    if (PYTHON.test(posix.basename(path)) || PYTHON.test(posix.basename(real))) judgePython(c, path, real, entry, args);
    return;
  }
  if (entry.shebang === undefined) {
    push(
      c,
      `${program} can start: an ELF executable or a script starting with #!`,
      `${real} is neither an ELF file nor a "#!" script: exec fails with "exec format error"`,
      real,
    );
    return;
  }
  const [interp = '', ...rest] = entry.shebang.split(/[ \t]+/);
  const interpArg = rest.join(' ');
  if (!interp) {
    push(c, `the script ${real} names its interpreter`, `${real} starts with "#!" and no interpreter`, real);
    return;
  }
  if (depth >= MAX_SCRIPT_DEPTH) {
    push(
      c,
      `the script ${real} can start`,
      `more than ${MAX_SCRIPT_DEPTH} nested "#!" interpreters: exec fails with ELOOP`,
      real,
    );
    return;
  }
  const r = resolvePath(fs, interp, wd);
  if (r.error || !isExecutable(r.entry)) {
    push(
      c,
      `the interpreter of the script ${real} exists`,
      `#!${entry.shebang}: ${interp} is ${r.entry && !r.error ? 'not an executable regular file' : `not in the image (resolved to ${r.path})`}`,
      real,
    );
    return;
  }
  const scriptArgs = [...(interpArg ? [interpArg] : []), path, ...args];
  if (posix.basename(interp) === 'env' && interpArg) {
    // "#!/usr/bin/env [-S] prog [args]": env finds prog on PATH.
    const words = interpArg.split(/\s+/).filter((w) => w !== '-S' && !w.startsWith('-'));
    const name = words[0];
    if (!name) return;
    const look = findProgram(fs, name, env, wd);
    if (!look.found || !isExecutable(look.found.entry)) {
      push(
        c,
        `the interpreter of the script ${real} exists`,
        `#!${entry.shebang}: "${name}" is not on PATH; looked at ${look.tried.join(', ')}`,
        real,
      );
      return;
    }
    return judgeProgram(
      c,
      name,
      look.found.candidate,
      look.found.path,
      look.found.entry!,
      [...words.slice(1), path, ...args],
      depth + 1,
    );
  }
  const runner = posix.basename(path);
  if (APP_RUNNERS.has(runner) && r.entry?.elf && PYTHON.test(posix.basename(r.path))) {
    // A console script (uvicorn, gunicorn): its own imports are the installer's; the app it is given is judged.
    judgeProgram(c, interp, interp, r.path, r.entry, [], depth + 1);
    judgeApp(
      c,
      runner,
      args,
      {
        programPath: interp,
        realPath: r.path,
        ...(r.entry.elf && { machine: r.entry.elf }),
        env,
        workingDir: wd,
        user: c.facts.config.User,
        flags: pythonInvocation(interpArg ? [interpArg] : []).flags,
        first: wd,
      },
      r.entry.elf,
      r.path,
    );
    return;
  }
  judgeProgram(c, interp, interp, r.path, r.entry!, scriptArgs, depth + 1);
}

function judgeStart(facts: ImageFacts, argv: readonly string[], field: string, unread: string[]): Finding[] {
  const [program, ...args] = argv;
  if (!program) return [];
  const look = findProgram(facts.fs, program, facts.config.Env, facts.config.WorkingDir);
  // A program that is missing or not executable is the entrypoint/healthcheck checks' finding, not repeated here.
  if (!look.found || look.found.error || !isExecutable(look.found.entry)) return [];
  const c: Ctx = { facts, field, argv, out: [], unread };
  judgeProgram(c, program, look.found.candidate, look.found.path, look.found.entry!, args, 0);
  return c.out;
}

/** An init wrapper (tini, dumb-init) must start, and so must the command it runs. */
function judgeWrapped(facts: ImageFacts, argv: readonly string[], field: string, unread: string[]): Finding[] {
  const { wrappers, command } = unwrapInit(argv);
  const out: Finding[] = [];
  let at = 0;
  for (const w of wrappers) {
    out.push(...judgeStart(facts, argv.slice(at), field, unread));
    at += w.length;
  }
  const by = wrappers.length ? `, the command ${posix.basename(wrappers.at(-1)![0]!)} runs` : '';
  return [...out, ...judgeStart(facts, command, `${field}${by}`, unread)];
}

/**
 * The Entrypoint/Cmd program and the HEALTHCHECK program must be able to start, as the kernel and the dynamic
 * loader would start them: every ELF interpreter and library resolves, every "#!" interpreter exists, and a
 * Python module or app the command names resolves on the interpreter's path.
 */
export const checkProgramsStart: StaticCheck = (facts) => {
  const out: Finding[] = [];
  const unread: string[] = [];
  const argv = commandOf(facts);
  if (argv.length)
    out.push(
      ...judgeWrapped(
        facts,
        argv,
        facts.config.Entrypoint?.length ? 'config.Entrypoint + config.Cmd' : 'config.Cmd',
        unread,
      ),
    );
  const test = facts.config.Healthcheck?.Test ?? [];
  if (test[0] === 'CMD' && test.length > 1)
    out.push(...judgeWrapped(facts, test.slice(1), 'config.Healthcheck.Test[1..]', unread));
  // Whether it starts could not be seen: not a pass. health shows whether it really does.
  if (!out.length && unread.length) throw new NotRun(`${unread.join('; ')}; health shows whether the service starts`);
  return out;
};
