// Canonical JSON as Lucid's Python block core writes it before hashing a transaction:
//   json.dumps(body, sort_keys=True, separators=(',', ':'))   (ensure_ascii left at True)
// A tx id is a hash of these exact bytes, so every formatting choice below mirrors CPython 3.
//
// Limits (all throw rather than silently hash something Python would not have produced):
// - Python's int/float distinction does not survive JSON.parse: an integral JS number is written as
//   an int (`1`, never `1.0`). To hash numbers as a service wrote them (`0.0`, an int beyond 2^53),
//   pass each as a JsonNumberText holding its text: it is written verbatim.
// - Integral numbers outside ±(2^53−1) are refused (they were probably rounded on parse); pass a
//   bigint or a JsonNumberText for an exact big int. NaN/±Infinity are refused (Python would write
//   non-JSON `NaN`).
// - Only plain objects, arrays, strings, finite numbers, bigints, JsonNumberTexts, booleans and null;
//   `undefined` anywhere is refused (Python has no such value, and dropping it would change the hash).

const JSON_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/**
 * A JSON number as its text, e.g. `0.0` or `1733580123456789012`: what a JSON parser's number hook can keep (the
 * flows use lossless-json's) so that a hash over a service's own JSON sees the digits the service wrote.
 */
export class JsonNumberText {
  constructor(readonly text: string) {
    if (!JSON_NUMBER.test(text)) throw new SyntaxError(`JsonNumberText: ${JSON.stringify(text)} is not a JSON number`);
  }
}

/** Serialize `value` byte-for-byte as Python's json.dumps(sort_keys=True, separators=(',',':')). */
export function canonicalJson(value: unknown): string {
  return write(value, new Set());
}

function write(value: unknown, ancestors: Set<object>): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'string':
      return quote(value);
    case 'number':
      return formatNumber(value);
    case 'bigint':
      return value.toString();
    case 'object':
      return value instanceof JsonNumberText ? value.text : writeContainer(value, ancestors);
    default:
      throw new TypeError(`canonicalJson: cannot serialize a ${typeof value}`);
  }
}

function writeContainer(value: object, ancestors: Set<object>): string {
  if (ancestors.has(value)) throw new TypeError('canonicalJson: circular reference');
  ancestors.add(value);
  try {
    if (Array.isArray(value)) {
      const items: string[] = [];
      for (let i = 0; i < value.length; i++) items.push(write(value[i], ancestors));
      return `[${items.join(',')}]`;
    }
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      throw new TypeError(`canonicalJson: only plain objects, got ${value.constructor?.name ?? 'object'}`);
    }
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record).sort(byCodePoint);
    return `{${keys.map((k) => `${quote(k)}:${write(record[k], ancestors)}`).join(',')}}`;
  } finally {
    ancestors.delete(value);
  }
}

/**
 * Python sorts str keys by code point; JS's default sort compares UTF-16 units, which disagrees for
 * astral characters vs U+E000–U+FFFF. Lone surrogates compare as their own value in both.
 */
export function byCodePoint(a: string, b: string): number {
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const x = ia.next();
    const y = ib.next();
    if (x.done || y.done) return (x.done ? 0 : 1) - (y.done ? 0 : 1);
    const d = x.value.codePointAt(0)! - y.value.codePointAt(0)!;
    if (d !== 0) return d;
  }
}

const SHORT_ESCAPES: Record<number, string> = {
  0x22: '\\"',
  0x5c: '\\\\',
  0x0a: '\\n',
  0x0d: '\\r',
  0x09: '\\t',
  0x08: '\\b',
  0x0c: '\\f',
};

/**
 * ensure_ascii=True: anything outside printable ASCII (0x20–0x7E) becomes \uXXXX with lower-case hex,
 * astral characters as their UTF-16 surrogate pair (JS strings already hold those units). '/' is
 * not escaped.
 */
function quote(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const short = SHORT_ESCAPES[c];
    if (short !== undefined) out += short;
    else if (c < 0x20 || c > 0x7e) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += s[i];
  }
  return `${out}"`;
}

function formatNumber(n: number): string {
  if (!Number.isFinite(n)) throw new RangeError(`canonicalJson: ${n} is not valid JSON`);
  if (Number.isInteger(n)) {
    if (!Number.isSafeInteger(n)) throw new RangeError(`canonicalJson: integer ${n} is beyond 2^53; pass a bigint`);
    return String(n); // -0 prints as "0", as a Python int would
  }
  return pythonFloatRepr(n);
}

/**
 * CPython's float repr: the shortest round-trip digits (JS's toExponential() picks the same digits),
 * fixed notation when the decimal exponent is in [-4, 16), otherwise d.ddde±XX (at least 2 exponent
 * digits, sign always shown).
 */
export function pythonFloatRepr(x: number): string {
  if (!Number.isFinite(x)) throw new RangeError(`pythonFloatRepr: ${x} has no JSON form`);
  const [mantissa, expText] = Math.abs(x).toExponential().split('e') as [string, string];
  const digits = mantissa.replace('.', '');
  const exp = Number(expText);
  const sign = x < 0 || Object.is(x, -0) ? '-' : '';
  if (exp < -4 || exp >= 16) {
    const frac = digits.length > 1 ? `.${digits.slice(1)}` : '';
    const e = `${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
    return `${sign}${digits[0]}${frac}e${e}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  const intPart = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
  const fracPart = digits.slice(exp + 1) || '0';
  return `${sign}${intPart}.${fracPart}`;
}
