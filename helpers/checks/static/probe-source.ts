import { posix } from 'node:path';
import { findModule, pythonPath } from '../../facts/python-path.ts';
import { findProgram, isRegularFile, resolvePath } from '../../facts/resolve.ts';
import { PYTHON_LIBRARY } from '../../facts/content-facts.ts';
import { textOf } from '../../facts/users.ts';
import type { ImageFacts } from '../../model/image-facts.ts';
import { pythonInvocation } from './programs-start.ts';

/** Where a HEALTHCHECK's probe is written: its arguments, its -c code, or a file it runs. */
export interface ProbeText {
  from: string;
  text: string;
  /** Code (-c, a script, a module) may join a URL from parts; a plain argument is the URL as given. */
  code: boolean;
}

export interface ProbeSources {
  texts: ProbeText[];
  /** Files the probe runs whose text the facts do not hold (compiled, too big, or naming no URL nor socket). */
  unread: string[];
}

const PYTHON = /^python[0-9.]*$/;

/**
 * What a HEALTHCHECK argv runs, as texts the URL it probes can be read from: the arguments themselves, the -c
 * code, the script or module python is asked to run, or the program itself when it is a script. The facts keep
 * a probe file's text only when it names a URL or opens a socket (facts/content-facts.ts).
 */
export function probeSources(facts: ImageFacts, argv: readonly string[]): ProbeSources {
  const [program, ...args] = argv;
  const out: ProbeSources = { texts: [], unread: [] };
  if (!program) return out;
  const inv = PYTHON.test(posix.basename(program)) ? pythonInvocation(args) : undefined;
  const codeAt = inv?.code ? args.findIndex((a) => /^-[A-Za-z]*c$/.test(a)) : -1;
  const plain = codeAt >= 0 ? [...args.slice(0, codeAt + 1), ...args.slice(codeAt + 2)] : args;
  out.texts.push({ from: 'Healthcheck.Test', text: [program, ...plain].join(' '), code: false });
  if (codeAt >= 0 && args[codeAt + 1] !== undefined)
    out.texts.push({ from: `the ${program} -c code`, text: args[codeAt + 1]!, code: true });

  const fileText = (path: string, what: string) => {
    const text = textOf(facts.fs, path);
    if (text === undefined) out.unread.push(`${what} ${path}`);
    else out.texts.push({ from: `image file ${path}`, text, code: true });
  };
  const wd = facts.config.WorkingDir || '/';
  const look = findProgram(facts.fs, program, facts.config.Env, wd).found;
  if (!look?.entry) return out; // a missing program is the check's own finding
  const machine = look.entry.elf;
  if (!machine) {
    fileText(look.path, 'the probe script');
    return out;
  }
  if (!inv) {
    out.unread.push(`the compiled program ${look.path}`);
    return out;
  }
  if (inv.script) fileText(resolvePath(facts.fs, inv.script, wd).path, 'the probe script');
  let sysPath: ReturnType<typeof pythonPath> | undefined;
  const path = () =>
    (sysPath ??= pythonPath(facts.fs, {
      programPath: program,
      realPath: look.path,
      machine,
      env: facts.config.Env,
      workingDir: wd,
      user: facts.config.User,
      flags: inv.flags,
      first: wd,
    }));
  if (inv.module) {
    // With main=true a module resolves to the file python runs (a package to its __main__).
    const found = findModule(facts.fs, inv.module, path(), machine, true).found;
    if (found) fileText(found, `the module ${inv.module},`);
    else out.unread.push(`the module ${inv.module}`);
  }
  // -c code that calls the application's own probe: the URL is in the module it imports.
  const code = codeAt >= 0 ? args[codeAt + 1] : undefined;
  for (const name of code ? importedModules(code) : []) {
    const found = findModule(facts.fs, name, path(), machine).found;
    if (!found || PYTHON_LIBRARY.test(found)) continue; // the standard library or an installed package
    const file = isRegularFile(facts.fs.entries.get(found)) ? found : posix.join(found, '__init__.py');
    fileText(file, `the module ${name} the -c code imports,`);
  }
  return out;
}

/** The modules `import a.b, c` and `from a.b import x` name, in -c code (statements split by ; or newlines). */
export function importedModules(code: string): string[] {
  const names = new Set<string>();
  for (const stmt of code.split(/[;\n]/)) {
    const from = /^\s*from\s+([A-Za-z_][\w.]*)\s+import\b/.exec(stmt);
    if (from) names.add(from[1]!);
    const plain = /^\s*import\s+(.+)$/.exec(stmt);
    if (plain) for (const part of plain[1]!.split(',')) names.add(part.trim().split(/\s+/)[0]!);
  }
  return [...names].filter((n) => /^[A-Za-z_][\w.]*$/.test(n));
}
