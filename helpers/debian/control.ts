/** deb822 stanzas (Packages indexes, control files), relation fields and dpkg version ordering. */

type Stanza = Record<string, string>;

/** Parses paragraphs separated by blank lines; continuation lines are joined with "\n". */
export function parseStanzas(text: string): Stanza[] {
  const out: Stanza[] = [];
  let cur: Stanza = {};
  let last: string | undefined;
  const flush = () => {
    if (Object.keys(cur).length) out.push(cur);
    cur = {};
    last = undefined;
  };
  for (const line of text.split('\n')) {
    if (line.trim() === '') {
      flush();
      continue;
    }
    if (line.startsWith(' ') || line.startsWith('\t')) {
      if (last !== undefined) cur[last] += '\n' + line.slice(1);
      continue;
    }
    const i = line.indexOf(':');
    if (i <= 0) continue;
    last = line.slice(0, i);
    cur[last] = line.slice(i + 1).trim();
  }
  flush();
  return out;
}

export interface Relation {
  name: string;
  op?: '<<' | '<=' | '=' | '>=' | '>>';
  version?: string;
}

/** "a (>= 1) | b, c:any" → [[a>=1, b], [c]]; architecture qualifiers and restrictions are dropped. */
export function parseRelations(field: string | undefined): Relation[][] {
  if (!field) return [];
  return field
    .split(',')
    .map((group) =>
      group
        .split('|')
        .map((alt) => {
          const m = /^\s*([a-z0-9][a-z0-9+.-]*)(?::[a-z0-9-]+)?\s*(?:\(\s*(<<|<=|=|>=|>>)\s*([^)\s]+)\s*\))?/.exec(alt);
          if (!m) return undefined;
          const r: Relation = { name: m[1]! };
          if (m[2]) {
            r.op = m[2] as Relation['op'];
            r.version = m[3];
          }
          return r;
        })
        .filter((r): r is Relation => r !== undefined),
    )
    .filter((g) => g.length > 0);
}

// dpkg's ordering: "~" sorts before everything (even the end), letters before non-letters.
function order(c: string | undefined): number {
  if (c === undefined) return 0;
  if (c === '~') return -1;
  if (/[A-Za-z]/.test(c)) return c.charCodeAt(0);
  return c.charCodeAt(0) + 256;
}

function compareFragment(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    let diff = 0;
    while ((i < a.length && !/\d/.test(a[i]!)) || (j < b.length && !/\d/.test(b[j]!))) {
      const ac = i < a.length && !/\d/.test(a[i]!) ? a[i] : undefined;
      const bc = j < b.length && !/\d/.test(b[j]!) ? b[j] : undefined;
      diff = order(ac) - order(bc);
      if (diff) return Math.sign(diff);
      if (ac !== undefined) i++;
      if (bc !== undefined) j++;
    }
    while (a[i] === '0') i++;
    while (b[j] === '0') j++;
    let firstDiff = 0;
    while (i < a.length && /\d/.test(a[i]!) && j < b.length && /\d/.test(b[j]!)) {
      if (!firstDiff) firstDiff = a.charCodeAt(i) - b.charCodeAt(j);
      i++;
      j++;
    }
    if (i < a.length && /\d/.test(a[i]!)) return 1;
    if (j < b.length && /\d/.test(b[j]!)) return -1;
    if (firstDiff) return Math.sign(firstDiff);
  }
  return 0;
}

function splitVersion(v: string): [number, string, string] {
  const c = v.indexOf(':');
  const epoch = c >= 0 ? Number.parseInt(v.slice(0, c), 10) : 0;
  const rest = c >= 0 ? v.slice(c + 1) : v;
  const d = rest.lastIndexOf('-');
  return d >= 0 ? [epoch, rest.slice(0, d), rest.slice(d + 1)] : [epoch, rest, ''];
}

/** Debian version comparison (epoch, upstream, revision), as dpkg --compare-versions. */
export function compareVersions(a: string, b: string): number {
  const [ea, ua, ra] = splitVersion(a);
  const [eb, ub, rb] = splitVersion(b);
  if (ea !== eb) return Math.sign(ea - eb);
  return compareFragment(ua, ub) || compareFragment(ra, rb);
}

export function satisfies(version: string, r: Relation): boolean {
  if (!r.op || !r.version) return true;
  const c = compareVersions(version, r.version);
  switch (r.op) {
    case '<<':
      return c < 0;
    case '<=':
      return c <= 0;
    case '=':
      return c === 0;
    case '>=':
      return c >= 0;
    case '>>':
      return c > 0;
  }
}
