import { posix } from 'node:path';
import { findModule } from '../../facts/python-path.ts';
import { findProgram, isExecutable, isRegularFile, resolvePath } from '../../facts/resolve.ts';
import type { FsEntry, ImageFacts } from '../../model/image-facts.ts';
import type { Finding } from '../../model/finding.ts';

/** The argv Docker runs: Entrypoint followed by Cmd (Cmd alone when there is no Entrypoint). */
export function commandOf(facts: ImageFacts): string[] {
  return [...(facts.config.Entrypoint ?? []), ...(facts.config.Cmd ?? [])];
}

/**
 * Init processes an image may put first (reaping zombies, forwarding signals) that exec the command after their own
 * options: that command is what the image runs. Per name: the short options taking a value, and long ones.
 */
const INIT_WRAPPERS: ReadonlyMap<string, { valued: string; longValued: readonly string[] }> = new Map([
  ['tini', { valued: 'pe', longValued: [] }],
  ['tini-static', { valued: 'pe', longValued: [] }],
  ['docker-init', { valued: 'pe', longValued: [] }],
  ['dumb-init', { valued: 'r', longValued: ['--rewrite'] }],
  ['catatonit', { valued: '', longValued: [] }],
]);

/**
 * An argv split at the init wrappers in front of it (ENTRYPOINT ["/usr/bin/tini", "--"]): `wrappers` as written,
 * each with its options; `command`, what the last of them execs (empty when it is given nothing).
 */
export function unwrapInit(argv: readonly string[]): { wrappers: string[][]; command: string[] } {
  const wrappers: string[][] = [];
  let rest = [...argv];
  for (;;) {
    const spec = rest[0] === undefined ? undefined : INIT_WRAPPERS.get(posix.basename(rest[0]));
    if (!spec) return { wrappers, command: rest };
    let i = 1;
    for (; i < rest.length; i++) {
      const a = rest[i]!;
      if (a === '--') {
        i++;
        break;
      }
      if (a.startsWith('--')) {
        if (spec.longValued.includes(a)) i++;
        continue;
      }
      if (!a.startsWith('-') || a === '-') break;
      const valued = [...a.slice(1)].findIndex((ch) => spec.valued.includes(ch));
      if (valued >= 0 && valued === a.length - 2) i++; // "-p SIGTERM"; "-pSIGTERM" holds its value
    }
    wrappers.push(rest.slice(0, i));
    rest = rest.slice(i);
  }
}

const INTERPRETER = /^(python[0-9.]*|node|perl[0-9.]*|ruby[0-9.]*)$/;
/** Python options that take the next argument as their value. */
const PY_OPT_WITH_VALUE = new Set(['-W', '-X', '-Q']);

/**
 * The script an interpreter is asked to run: its first non-option argument. None for `-c code` or `-m module`
 * (nothing on disk to check by path).
 */
function scriptArgument(program: string, args: readonly string[]): string | undefined {
  if (!INTERPRETER.test(posix.basename(program))) return undefined;
  const python = /^python/.test(posix.basename(program));
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '-c' || a === '-m' || a === '-e' || a === '--') return a === '--' ? args[i + 1] : undefined;
    if (PY_OPT_WITH_VALUE.has(a)) i++;
    else if (python && /^-[A-Za-z]{2,}/.test(a)) {
      // Python's short options glue together: -um mod is -u -m mod, -uc code is -u -c code; a value option (-W, -X)
      // takes the rest of the cluster, or the next argument when it ends the cluster.
      for (let k = 1; k < a.length; k++) {
        if (a[k] === 'c' || a[k] === 'm') return undefined;
        if (PY_OPT_WITH_VALUE.has(`-${a[k]}`)) {
          if (k === a.length - 1) i++;
          break;
        }
      }
    } else if (!a.startsWith('-')) return a;
  }
  return undefined;
}

/** The __main__ module python finds in a directory it is given as its script, if any. */
export function dirMain(facts: ImageFacts, dir: string, interpreter?: FsEntry): string | undefined {
  return findModule(facts.fs, '__main__', { dirs: [{ dir, why: 'script dir' }] }, interpreter?.elf).found;
}

const kind = (e: FsEntry) =>
  e.type === 'dir'
    ? 'a directory'
    : e.type === 'other'
      ? 'a special file'
      : `mode ${(e.mode & 0o7777).toString(8).padStart(4, '0')}`;

/** The entry a program name ends at (following PATH and symlinks), when it exists. */
export function programEntry(facts: ImageFacts, program: string): FsEntry | undefined {
  return findProgram(facts.fs, program, facts.config.Env, facts.config.WorkingDir).found?.entry;
}

/**
 * Findings for an argv whose program (and, for an interpreter, whose script) must exist in the image.
 * `field` names the config field for the report, e.g. "config.Entrypoint".
 */
export function judgeArgv(facts: ImageFacts, argv: readonly string[], check: string, field: string): Finding[] {
  const [program, ...args] = argv;
  if (!program) return [];
  const out: Finding[] = [];
  const look = findProgram(facts.fs, program, facts.config.Env, facts.config.WorkingDir);
  const where = `image config: ${field} ${JSON.stringify(argv)}`;
  const shellForm =
    posix.basename(program) === 'sh' && args[0] === '-c' ? ' (shell form: Docker wraps the command in /bin/sh -c)' : '';
  if (!look.found) {
    const d = look.dangling;
    out.push({
      check,
      expected: `program "${program}" exists in the image`,
      seen: d
        ? `"${d.candidate}" is a symlink to ${d.path}, which is not in the image (${d.hops.join(', ')})`
        : `"${program}" is not in the image filesystem${shellForm}; looked at ${look.tried.join(', ')}`,
      where,
    });
    return out;
  }
  const f = look.found;
  const via = f.hops.length ? ` (${f.hops.join(', ')})` : '';
  if (!isExecutable(f.entry)) {
    const why = isRegularFile(f.entry) ? 'has no execute bit' : 'is not a regular file';
    out.push({
      check,
      expected: `program "${program}" is an executable regular file`,
      seen: `${f.candidate}${via} ${why}: ${kind(f.entry!)}`,
      where,
    });
    return out;
  }
  const script = scriptArgument(program, args);
  if (script) {
    const r = resolvePath(facts.fs, script, facts.config.WorkingDir || '/');
    const python = /^python/.test(posix.basename(program));
    // python runs a directory (or a zip, a regular file) holding a __main__ module as a script.
    const runnable = isRegularFile(r.entry) || (python && r.entry?.type === 'dir' && dirMain(facts, r.path, f.entry));
    if (!runnable) {
      const seen = r.entry
        ? r.entry.type === 'dir'
          ? `${r.path} is a directory${python ? ' without a __main__ module: python cannot run it' : ''}`
          : `${r.path} is not a regular file`
        : `script ${script} is not in the image filesystem (resolved to ${r.path})`;
      out.push({ check, expected: `the script ${posix.basename(program)} runs (${script}) exists`, seen, where });
    } else if (python && r.entry?.elf) {
      // python reads its script as source: an ELF there is a SyntaxError at once. The real Dockerfile.data does this:
      // CMD ["/usr/bin/python3", "x.py"] under the base's ENTRYPOINT ["/usr/bin/python3.11"] runs python3 as a script.
      const asScript =
        facts.config.Entrypoint?.length && argv.length > (facts.config.Cmd?.length ?? 0)
          ? `; the Entrypoint ${JSON.stringify(facts.config.Entrypoint)} is given the Cmd as its arguments (ENTRYPOINT [] clears the base's)`
          : '';
      out.push({
        check,
        expected: `the script ${posix.basename(program)} runs (${script}) is Python source`,
        seen: `${script}${r.path !== script ? ` (${r.path})` : ''} is an ELF executable (${r.entry.elf}), not a Python script: ${posix.basename(program)} exits with a SyntaxError${asScript}`,
        where,
      });
    }
  }
  return out;
}
