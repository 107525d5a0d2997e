import { accessSync, constants as fsConstants, existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { UsageError } from '../model/errors.ts';

// A small, strict flag parser: every verb declares its flags; anything else is a usage error.

export interface FlagSpec {
  /** Repeatable flags collect into arrays. */
  repeatable?: boolean;
  /** Boolean flags take no value. */
  boolean?: boolean;
  /** Env var supplying a default (comma-separated for repeatable flags). */
  env?: string;
}

type Parsed = { flags: Record<string, string | string[] | boolean | undefined>; positionals: string[] };

const CONFIG_FILE = 'lucid-harness.config.json';

/**
 * Flag defaults for a verb from a config file (for CI): LUCID_CONFIG, else ./lucid-harness.config.json when present.
 * Shape: { "verify": { "registry": "r:5000", "platform": ["linux/arm64"] }, "regress": { ... } }.
 */
function configDefaults(
  verb: string,
  spec: Record<string, FlagSpec>,
  env: NodeJS.ProcessEnv = process.env,
  cwd = process.cwd(),
): Parsed['flags'] {
  const file = env.LUCID_CONFIG || (existsSync(join(cwd, CONFIG_FILE)) ? join(cwd, CONFIG_FILE) : undefined);
  if (!file) return {};
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new UsageError(`config file ${file}: ${(e as Error).message}`);
  }
  const section = (doc as Record<string, unknown> | null)?.[verb];
  if (section === undefined) return {};
  if (typeof section !== 'object' || section === null || Array.isArray(section))
    throw new UsageError(`config file ${file}: "${verb}" must be an object of option names to values`);
  const out: Parsed['flags'] = {};
  for (const [k, v] of Object.entries(section)) {
    const s = spec[k];
    if (!s)
      throw new UsageError(
        `config file ${file}: unknown option "${verb}.${k}" (known: ${Object.keys(spec).join(', ')})`,
      );
    // Empty ([] or "") would quietly mean no platform at all, or the current directory: as on the command line.
    const ok = s.boolean
      ? typeof v === 'boolean'
      : s.repeatable
        ? Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string' && x !== '')
        : typeof v === 'string' && v !== '';
    if (!ok)
      throw new UsageError(
        `config file ${file}: "${verb}.${k}" must be ${s.boolean ? 'true or false' : s.repeatable ? 'a non-empty array of non-empty strings' : 'a non-empty string'} (leave it out for the default)`,
      );
    out[k] = v as string | string[] | boolean;
  }
  return out;
}

/** Precedence: command line, then env, then the config file section of `verb` (when given). */
export function parseArgs(
  argv: string[],
  spec: Record<string, FlagSpec>,
  env: NodeJS.ProcessEnv = process.env,
  verb?: string,
): Parsed {
  const flags: Parsed['flags'] = {};
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) {
      positionals.push(a);
      continue;
    }
    const [name, inline] = a.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    const s = spec[name];
    if (!s)
      throw new UsageError(
        `unknown option --${name} (known: ${Object.keys(spec)
          .map((k) => `--${k}`)
          .join(', ')})`,
      );
    if (s.boolean) {
      flags[name] = true;
      continue;
    }
    const value = inline ?? argv[++i];
    // An empty value (--platform=, --report-dir "", --image ,) would quietly mean "none" or "here".
    const values = s.repeatable ? (value ?? '').split(',').filter(Boolean) : [value ?? ''];
    if (value === undefined || (inline === undefined && value.startsWith('--')) || !values.some(Boolean))
      throw new UsageError(`option --${name} needs a value`);
    // Once each: --image data-chain --image data-chain would check the image twice, side by side.
    if (s.repeatable) flags[name] = [...new Set([...((flags[name] as string[] | undefined) ?? []), ...values])];
    else if (flags[name] !== undefined && flags[name] !== value)
      // The last one would win silently: --registry a --registry b checks b, whatever was meant.
      throw new UsageError(`option --${name} given twice ("${String(flags[name])}" and "${value}"): give it once`);
    else flags[name] = value;
  }
  for (const [name, s] of Object.entries(spec)) {
    if (flags[name] !== undefined || !s.env || env[s.env] === undefined || env[s.env] === '') continue;
    const v = env[s.env]!;
    if (s.repeatable && !v.split(',').some(Boolean)) continue; // LUCID_PLATFORMS=, is as unset
    flags[name] = s.boolean
      ? v !== '0' && v !== 'false'
      : s.repeatable
        ? [...new Set(v.split(',').filter(Boolean))]
        : v;
  }
  if (verb && !flags.help) {
    for (const [k, v] of Object.entries(configDefaults(verb, spec, env))) if (flags[k] === undefined) flags[k] = v;
  }
  return { flags, positionals };
}

/**
 * A verb's flags, the way every verb takes them: --help prints the help and gives undefined (exit 0);
 * positional arguments are refused; defaults come from env and the config file section of `verb`.
 */
export function verbFlags(
  argv: string[],
  spec: Record<string, FlagSpec>,
  verb: string,
  help: string,
): Parsed['flags'] | undefined {
  const { flags, positionals } = parseArgs(argv, spec, process.env, verb);
  if (flags.help) {
    console.log(help);
    return undefined;
  }
  if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}" (see --help)`);
  return flags;
}

/** --contract FILE and --profile NAME…, shared by the verbs that load the contract. */
export const contractSourceOf = (flags: Parsed['flags']) => ({
  file: flags.contract as string | undefined,
  overrides: (flags.profile as string[] | undefined) ?? [],
});

/**
 * Why reports can't be written to DIR, or undefined: checked before anything is built or started, so a
 * --report-dir that is a file fails in one line rather than as EEXIST after the run. Creates nothing.
 */
export const reportDirProblem = (dir: string): string | undefined => writableDirProblem(dir, `--report-dir ${dir}`);

/**
 * Why directory DIR can't be created or written, or undefined (creates nothing). `shown` names it in the
 * message; `asDir` false when DIR is only where a file (e.g. a .tar) named by `shown` goes.
 */
export function writableDirProblem(dir: string, shown: string, asDir = true): string | undefined {
  let at = resolve(dir);
  while (!existsSync(at) && dirname(at) !== at) at = dirname(at);
  if (!statSync(at).isDirectory())
    return asDir && at === resolve(dir)
      ? `${shown} is a file, not a directory: give a directory (it is created when missing)`
      : `${shown} can't be created: ${at} is a file, not a directory`;
  try {
    accessSync(at, fsConstants.W_OK);
  } catch (e) {
    return `${shown} can't be written (${(e as NodeJS.ErrnoException).code ?? (e as Error).message} on ${at}): give a directory you can write`;
  }
  return undefined;
}

/** Throws the usage error reportDirProblem names. */
export function requireReportDir(dir: string): void {
  const problem = reportDirProblem(dir);
  if (problem) throw new UsageError(problem);
}
