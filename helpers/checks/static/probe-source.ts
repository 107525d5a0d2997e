import { posix } from 'node:path';
import { findModule, pythonPath } from '../../facts/python-path.ts';
import { envValue, findProgram, isRegularFile, resolvePath } from '../../facts/resolve.ts';
import { PYTHON_LIBRARY } from '../../facts/content-facts.ts';
import { textOf } from '../../facts/users.ts';
import type { ImageFacts } from '../../model/image-facts.ts';
import { dirMain } from './program.ts';
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
  // The -c code is read as code, the other arguments as text.
  const codeArg = inv?.codeArg;
  const plain = codeArg !== undefined ? [...args.slice(0, codeArg), ...args.slice(codeArg + 1)] : args;
  out.texts.push({ from: 'Healthcheck.Test', text: [program, ...plain].join(' '), code: false });
  if (inv?.codeText !== undefined) out.texts.push({ from: `the ${program} -c code`, text: inv.codeText, code: true });

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
  if (inv.script) {
    const r = resolvePath(facts.fs, inv.script, wd);
    // A directory given as the script runs its __main__ module.
    const main = r.entry?.type === 'dir' ? dirMain(facts, r.path, look.entry) : undefined;
    fileText(main ?? r.path, 'the probe script');
  }
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
  const code = inv?.codeText;
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

/** A URL a probe's code requests, as written or as the code joins it; `url` absent: it cannot be read. */
export interface CodeUrl {
  raw: string;
  url?: string;
  unresolved?: string;
  /** Where in the code it was read: [start, end) offsets. */
  span: [number, number];
}

interface Tok {
  k: 'str' | 'name' | 'num' | 'op' | 'nl';
  v: string;
  at: number;
  end: number;
}

const TOKEN =
  /(#[^\n]*)|((?:[rRbBuUfF]{1,2})?(?:'''[\s\S]*?'''|"""[\s\S]*?"""|'(?:\\.|[^'\\\n])*'|"(?:\\.|[^"\\\n])*"))|([A-Za-z_]\w*)|(\d+)|(\n|;)|((?:[ \t\r\f]|\\\r?\n)+)|(==|!=|<=|>=|[-+*/%@&|^:]=|->|\*\*|\/\/|[\s\S])/gy;

/** Python tokens enough to read string joins: newlines inside brackets are not statement ends. */
function tokens(code: string): Tok[] {
  const out: Tok[] = [];
  let depth = 0;
  TOKEN.lastIndex = 0;
  for (let m = TOKEN.exec(code); m; m = TOKEN.exec(code)) {
    const [text] = m;
    const t = (k: Tok['k']) => out.push({ k, v: text, at: m!.index, end: m!.index + text.length });
    if (m[1] !== undefined || m[6] !== undefined) continue;
    if (m[2] !== undefined) t('str');
    else if (m[3] !== undefined) t('name');
    else if (m[4] !== undefined) t('num');
    else if (m[5] !== undefined) {
      if (depth === 0) t('nl');
    } else {
      if ('([{'.includes(text)) depth++;
      else if (')]}'.includes(text)) depth = Math.max(0, depth - 1);
      t('op');
    }
    if (TOKEN.lastIndex >= code.length) break;
  }
  return out;
}

/**
 * A string token's value; f-strings are filled from known constants, and from a field that is itself a join the
 * code does not compute (`{os.environ.get('PORT', '8084')}`, read as outside an f-string); undefined when any part
 * is not one.
 */
function stringValue(
  tok: string,
  consts: ReadonlyMap<string, string>,
  refs: Set<string>,
  env: readonly string[] = [],
): string | undefined {
  const m = /^([A-Za-z]*)('''|"""|'|")([\s\S]*)\2$/.exec(tok);
  if (!m) return undefined;
  const prefix = m[1]!.toLowerCase();
  const body = prefix.includes('r') ? m[3]! : m[3]!.replace(/\\(['"\\])/g, '$1');
  if (!prefix.includes('f')) return body;
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if ((c === '{' || c === '}') && body[i + 1] === c) {
      out += c;
      i++;
    } else if (c === '{') {
      const close = body.indexOf('}', i);
      const name = close < 0 ? '' : body.slice(i + 1, close).trim();
      let v: string | undefined;
      if (/^[A-Za-z_]\w*$/.test(name)) {
        refs.add(name);
        v = consts.get(name);
      } else v = fieldValue(name, consts, refs, env); // an expression; a conversion or a format spec stays unknown
      if (v === undefined) return undefined;
      out += v;
      i = close;
    } else out += c;
  }
  return out;
}

/** An f-string field that is an expression: its value when the whole field reads as a join of known parts. */
function fieldValue(
  expr: string,
  consts: ReadonlyMap<string, string>,
  refs: Set<string>,
  env: readonly string[],
): string | undefined {
  const ts = tokens(expr).filter((t) => t.k !== 'nl');
  if (!ts.length) return undefined;
  const c = chainAt(ts, 0, consts, refs, env);
  return c && c.end === ts.length ? c.value : undefined;
}

/** An http(s) URL, as the text scan of healthcheck.ts reads one (a scheme alone is none). */
const isUrl = (s: string | undefined): boolean =>
  s !== undefined && /^https?:\/\/(?:\[[0-9a-f:.]+\]|[^\s'"`)\]}>,;])/i.test(s);

const isWholeUrl = (s: string): boolean => /^https?:\/\/(?:\[[0-9a-f:.]+\][^\s'"`)\]}>,;]*|[^\s'"`)\]}>,;]+)$/i.test(s);

interface Chain {
  /** The joined value; undefined when a part of it is not known. */
  value?: string;
  /** A part names a URL (a literal with "://", a constant whose value is a URL). */
  urlish: boolean;
  end: number;
}

/**
 * Reads the string expression starting at token k: literals, f-strings and names of constants joined with "+",
 * urljoin(a, b), and a literal or constant formatted with % or .format() from known parts. What else follows it
 * (a method, an index) makes it unknown: the code builds more at run time.
 */
function chainAt(
  ts: Tok[],
  k: number,
  consts: ReadonlyMap<string, string>,
  refs: Set<string>,
  env: readonly string[] = [],
): Chain | undefined {
  const closing = (i: number): number => {
    let d = 0;
    for (let j = i; j < ts.length; j++) {
      if ('([{'.includes(ts[j]!.v) && ts[j]!.k === 'op') d++;
      else if (')]}'.includes(ts[j]!.v) && ts[j]!.k === 'op' && --d === 0) return j;
    }
    return ts.length - 1;
  };
  const operand = (i: number): Chain | undefined => {
    const t = ts[i];
    if (!t) return undefined;
    if (t.k === 'str') {
      const value = stringValue(t.v, consts, refs, env);
      if (value === undefined) {
        // An f-string with a part the code computes: still a URL when it starts with one (or a URL constant).
        const names = [...t.v.matchAll(/\{\s*([A-Za-z_]\w*)/g)].map((m) => m[1]!);
        for (const n of names) refs.add(n);
        const body = t.v.replace(/^[A-Za-z]*('''|"""|'|")/, '');
        const lead = /^\{\s*([A-Za-z_]\w*)/.exec(body)?.[1];
        return { urlish: isUrl(body) || (lead !== undefined && isUrl(consts.get(lead))), end: i + 1 };
      }
      return formatted({ value, urlish: isUrl(value), end: i + 1 });
    }
    if (t.k === 'num') return { value: t.v, urlish: false, end: i + 1 };
    if (t.k === 'op' && t.v === '(') {
      const inner = chainAt(ts, i + 1, consts, refs, env);
      const close = closing(i);
      if (inner && inner.end === close) return { ...inner, end: close + 1 };
      return { urlish: Boolean(inner?.urlish), end: close + 1 };
    }
    if (t.k !== 'name') return undefined;
    let j = i;
    while (ts[j + 1]?.v === '.' && ts[j + 2]?.k === 'name') j += 2;
    const next = ts[j + 1];
    const callee = ts
      .slice(i, j + 1)
      .map((x) => x.v)
      .join('');
    // os.getenv("PORT", "8084"), os.environ.get(...), os.environ["PORT"]: the value the image's Env gives the
    // probe, else the literal default (the real Dockerfile.engine and Dockerfile.data build their URL this way).
    if ((next?.v === '(' && GETENV.test(callee)) || (next?.v === '[' && ENVIRON.test(callee))) {
      const close = closing(j + 1);
      const value = envLookup(ts.slice(j + 2, close), env, next.v === '[');
      return { ...(value !== undefined && { value }), urlish: isUrl(value), end: close + 1 };
    }
    if (next?.v === '(' && ts[j]!.v === 'urljoin') {
      const a = chainAt(ts, j + 2, consts, refs, env);
      const b = a && ts[a.end]?.v === ',' ? chainAt(ts, a.end + 1, consts, refs, env) : undefined;
      const close = closing(j + 1);
      const urlish = Boolean(a?.urlish);
      if (a?.value === undefined || b?.value === undefined || !/^[,)]$/.test(ts[b.end]?.v ?? ''))
        return { urlish, end: close + 1 };
      try {
        return { value: new URL(b.value, a.value).href, urlish, end: close + 1 };
      } catch {
        return { urlish, end: close + 1 };
      }
    }
    if (next?.v === '(' || next?.v === '[') return { urlish: false, end: closing(j + 1) + 1 };
    if (j > i) return { urlish: false, end: j + 1 };
    refs.add(t.v);
    const value = consts.get(t.v);
    return formatted({ ...(value !== undefined && { value }), urlish: isUrl(value), end: i + 1 });
  };
  // The arguments of a call or a tuple from token `open` ("(") on: each a join of known parts, else undefined.
  const argsAt = (open: number): { values: (string | undefined)[]; named: Map<string, string>; end: number } => {
    const close = closing(open);
    const values: (string | undefined)[] = [];
    const named = new Map<string, string>();
    let at = open + 1;
    while (at < close) {
      const kw = ts[at]?.k === 'name' && ts[at + 1]?.v === '=' ? ts[at]!.v : undefined;
      const c = chainAt(ts, kw ? at + 2 : at, consts, refs, env);
      const ok = c && (ts[c.end]?.v === ',' || c.end === close);
      if (kw) {
        if (ok && c.value !== undefined) named.set(kw, c.value);
      } else values.push(ok ? c.value : undefined);
      if (!ok) return { values: [...values, undefined], named, end: close + 1 };
      at = c.end + 1;
    }
    return { values, named, end: close + 1 };
  };
  // "…%s…" % x, "…%s…%s…" % (x, y) and "…{}…".format(x) / .format(port=x) of a string whose parts are known:
  // its value when every conversion is a plain %s/%d or {}/{0}/{name} filled from known parts.
  const formatted = (c: Chain): Chain => {
    const op = ts[c.end];
    if (op?.k === 'op' && op.v === '%' && ts[c.end + 1]) {
      const r = ts[c.end + 1]!;
      let values: (string | undefined)[];
      let end: number;
      if (r.k === 'op' && r.v === '(') {
        const a = argsAt(c.end + 1);
        const single = chainAt(ts, c.end + 2, consts, refs, env);
        // (x) is x; (x,) and (x, y) are tuples.
        values = single && single.end === closing(c.end + 1) ? [single.value] : a.values;
        end = a.end;
      } else {
        const o = operand(c.end + 1);
        if (!o) return { urlish: c.urlish, end: c.end };
        values = [o.value];
        end = o.end;
      }
      let n = 0;
      let ok = c.value !== undefined;
      const value = c.value?.replace(/%(.)/g, (_m, ch: string) => {
        if (ch === '%') return '%';
        const v = values[n++];
        if (!/^[sdi]$/.test(ch) || v === undefined || (ch !== 's' && !/^-?\d+$/.test(v))) ok = false;
        return v ?? '';
      });
      ok &&= n === values.length;
      return { ...(ok && { value }), urlish: c.urlish || (ok && isUrl(value)), end };
    }
    if (op?.v === '.' && ts[c.end + 1]?.v === 'format' && ts[c.end + 2]?.v === '(') {
      const a = argsAt(c.end + 2);
      let n = 0;
      let ok = c.value !== undefined;
      const value = c.value?.replace(/\{\{|\}\}|\{([^{}]*)\}/g, (m, field: string | undefined) => {
        if (m === '{{' || m === '}}') return m[0]!;
        const v = field === '' ? a.values[n++] : /^\d+$/.test(field!) ? a.values[Number(field)] : a.named.get(field!);
        if (v === undefined) ok = false;
        return v ?? '';
      });
      return { ...(ok && { value }), urlish: c.urlish || (ok && isUrl(value)), end: a.end };
    }
    return c;
  };
  const first = operand(k);
  if (!first) return undefined;
  let known = first.value !== undefined;
  let value = first.value ?? '';
  let end = first.end;
  while (ts[end]?.v === '+') {
    const next = operand(end + 1);
    if (!next) {
      known = false;
      break;
    }
    known &&= next.value !== undefined;
    value += next.value ?? '';
    end = next.end;
  }
  const after = ts[end];
  if (after?.k === 'op' && /^(?:%|\.|\*|\[)$/.test(after.v)) known = false;
  // A URL starts with its scheme: the first part says whether the whole is one.
  return { ...(known && { value }), urlish: first.urlish, end };
}

const GETENV = /^(?:os\.)?(?:getenv|environ\.get)$/;
const ENVIRON = /^(?:os\.)?environ$/;

/**
 * The value of ("NAME") / ("NAME", "default") / ["NAME"] given the image's Env: NAME's value, else the literal
 * default; undefined for anything else (a computed name or default, no default and no value).
 */
function envLookup(args: Tok[], env: readonly string[], subscript: boolean): string | undefined {
  const lit = (t: Tok | undefined) =>
    t?.k === 'str' && !/^[A-Za-z]*[fF]/.test(t.v) ? stringValue(t.v, new Map(), new Set()) : undefined;
  const name = lit(args[0]);
  if (name === undefined) return undefined;
  const rest = args.slice(1).filter((t, n, all) => !(t.v === ',' && n === all.length - 1)); // a trailing comma
  const given = envValue(env, name);
  if (!rest.length) return given;
  if (subscript || rest.length !== 2 || rest[0]!.v !== ',') return undefined;
  const fallback = lit(rest[1]) ?? (rest[1]!.k === 'num' ? rest[1]!.v : undefined);
  return given ?? fallback;
}

/** Calls whose first argument is the URL they request (urllib, requests, httpx); `request(method, url)` the second. */
const FIRST_ARG_URL = new Set(['urlopen', 'Request', 'get', 'head', 'urlretrieve', 'fetch']);

/** Whether tokens [k, end) are, whole, the URL argument of a request call. */
function isRequestArgument(ts: Tok[], k: number, end: number): boolean {
  if (!/^[,)]$/.test(ts[end]?.v ?? '')) return false;
  if (ts[k - 1]?.v === '=' && /^(?:url|uri)$/.test(ts[k - 2]?.v ?? '')) return true;
  if (!/^[(,]$/.test(ts[k - 1]?.v ?? '')) return false;
  let depth = 0;
  let index = 0;
  for (let j = k - 1; j >= 0; j--) {
    const v = ts[j]!.k === 'op' ? ts[j]!.v : '';
    if (v === ')' || v === ']' || v === '}') depth++;
    else if (v === '(' || v === '[' || v === '{') {
      if (depth-- > 0) continue;
      const callee = v === '(' && ts[j - 1]?.k === 'name' ? ts[j - 1]!.v : '';
      return (FIRST_ARG_URL.has(callee) && index === 0) || (callee === 'request' && index === 1);
    } else if (v === ',' && depth === 0) index++;
    else if (ts[j]!.k === 'nl') return false;
  }
  return false;
}

/** A URL with no path (http://host:port, or only "/"): code usually joins a path to it later. */
const isBareOrigin = (url: string) => /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*\/?$/i.test(url);

/**
 * The URLs probe code requests, read where the code writes them as literals or joins literals and its own
 * constants (f"{BASE}{PATH}", BASE + "/health", urljoin(base, path)). A join with a part the code computes is
 * unresolved; so is a URL without a path that is not itself handed to a request call (a base some code may join
 * a path to), since reading it as a probe of "/" would be a guess.
 */
export function urlsInCode(code: string, env: readonly string[] = []): { urls: CodeUrl[]; read: [number, number][] } {
  const ts = tokens(code);
  const starts = new Set(ts.flatMap((t, i) => (i === 0 || ts[i - 1]!.k === 'nl' ? [i] : [])));
  // Constants: NAME = <join> alone on its statement, assigned once in the whole code.
  const assigned = new Map<string, number>();
  for (const i of starts)
    if (ts[i]!.k === 'name' && /^(?:[-+*/%@&|^:]?=)$/.test(ts[i + 1]?.v ?? ''))
      assigned.set(ts[i]!.v, (assigned.get(ts[i]!.v) ?? 0) + 1);
  const consts = new Map<string, string>();
  const defs = new Map<string, { k: number; end: number }>();
  const refs = new Set<string>();
  for (const i of starts) {
    const name = ts[i]!.v;
    if (ts[i]!.k !== 'name' || ts[i + 1]?.v !== '=' || assigned.get(name) !== 1) continue;
    const c = chainAt(ts, i + 2, consts, refs, env);
    if (!c || c.value === undefined || (c.end < ts.length && ts[c.end]!.k !== 'nl')) continue;
    consts.set(name, c.value);
    defs.set(name, { k: i + 2, end: c.end });
  }
  const out: CodeUrl[] = [];
  const add = (k: number, end: number, value: string | undefined, why?: string) => {
    const span: [number, number] = [ts[k]!.at, ts[end - 1]!.end];
    const source = code.slice(...span);
    const raw = value ?? (source.length > 120 ? `${source.slice(0, 117)}...` : source);
    if (value !== undefined && !isWholeUrl(value)) return; // prose that starts with a URL: read as text is
    if (value === undefined || /[{}%$]/.test(value)) out.push({ raw, unresolved: why ?? 'built at run time', span });
    else if (!URL.canParse(value)) out.push({ raw, unresolved: 'not a URL the harness can read', span });
    else if (isBareOrigin(value) && !isRequestArgument(ts, k, end))
      out.push({ raw, unresolved: 'a base URL the code may join a path to', span });
    else out.push({ raw, url: value, span });
  };
  const defRanges = [...defs.values()];
  for (let k = 0; k < ts.length;) {
    const def = defRanges.find((d) => d.k === k);
    if (def) {
      k = def.end;
      continue;
    }
    const t = ts[k]!;
    const target = /^(?:[-+*/%@&|^:]?=)$/.test(ts[k + 1]?.v ?? '');
    const startsChain =
      t.k === 'str' || (t.k === 'name' && ts[k - 1]?.v !== '.' && !target && (consts.has(t.v) || joinCallAt(ts, k)));
    const c = startsChain ? chainAt(ts, k, consts, refs, env) : undefined;
    if (!c || !c.urlish) {
      k++;
      continue;
    }
    add(k, c.end, c.value);
    k = c.end;
  }
  // A URL constant nothing reads: judged where it is written.
  for (const [name, d] of defs) if (!refs.has(name) && isUrl(consts.get(name))) add(d.k, d.end, consts.get(name));
  const read = [
    ...out.map((u) => u.span),
    ...[...defs]
      .filter(([name]) => isWholeUrl(consts.get(name)!))
      .map(([, d]): [number, number] => [ts[d.k]!.at, ts[d.end - 1]!.end]),
  ];
  return { urls: out, read };
}

/** NAME(.NAME)* urljoin ( at token k. */
function joinCallAt(ts: Tok[], k: number): boolean {
  let j = k;
  while (ts[j + 1]?.v === '.' && ts[j + 2]?.k === 'name') j += 2;
  return ts[j]!.v === 'urljoin' && ts[j + 1]?.v === '(';
}
