/** A small, strict flag parser: every verb declares its flags; anything else is a usage error. */
export class UsageError extends Error {}

export interface FlagSpec {
  /** Repeatable flags collect into arrays. */
  repeatable?: boolean;
  /** Boolean flags take no value. */
  boolean?: boolean;
  /** Env var supplying a default (comma-separated for repeatable flags). */
  env?: string;
}

export type Parsed = { flags: Record<string, string | string[] | boolean | undefined>; positionals: string[] };

export function parseArgs(argv: string[], spec: Record<string, FlagSpec>, env: NodeJS.ProcessEnv = process.env): Parsed {
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
    if (!s) throw new UsageError(`unknown option --${name} (known: ${Object.keys(spec).map((k) => `--${k}`).join(', ')})`);
    if (s.boolean) {
      flags[name] = true;
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined || (inline === undefined && value.startsWith('--'))) throw new UsageError(`option --${name} needs a value`);
    if (s.repeatable) flags[name] = [...((flags[name] as string[] | undefined) ?? []), ...value.split(',').filter(Boolean)];
    else flags[name] = value;
  }
  for (const [name, s] of Object.entries(spec)) {
    if (flags[name] !== undefined || !s.env || env[s.env] === undefined || env[s.env] === '') continue;
    const v = env[s.env]!;
    flags[name] = s.boolean ? v !== '0' && v !== 'false' : s.repeatable ? v.split(',').filter(Boolean) : v;
  }
  return { flags, positionals };
}
