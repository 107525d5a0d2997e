import { describe, expect, it } from 'vitest';
import { byCodePoint, canonicalJson, JsonNumberText, pythonFloatRepr } from '../../helpers/crypto/canonical-json.ts';
import { loadLucidVectors } from '../support/vectors.ts';

// Every expected string below was produced by CPython 3.11:
//   json.dumps(value, sort_keys=True, separators=(',', ':'))

describe('canonicalJson: Lucid transaction vectors', () => {
  it.each(loadLucidVectors().transactions.map((t) => [t.tx_id.slice(0, 12), t] as const))('tx %s', (_id, t) => {
    expect(canonicalJson(t.body)).toBe(t.canonical_json);
  });
});

describe('canonicalJson: structure', () => {
  it('sorts keys recursively, no spaces, arrays keep order', () => {
    expect(canonicalJson({ b: 1, a: [3, { z: null, y: true, x: false }] })).toBe(
      '{"a":[3,{"x":false,"y":true,"z":null}],"b":1}',
    );
    expect(canonicalJson({ nested: { b: { d: [], c: {} } } })).toBe('{"nested":{"b":{"c":{},"d":[]}}}');
  });

  it('scalars at top level', () => {
    expect([null, true, false, 0, -1, '', 'x'].map(canonicalJson)).toEqual([
      'null',
      'true',
      'false',
      '0',
      '-1',
      '""',
      '"x"',
    ]);
  });

  it('sorts keys by code point like Python (not by UTF-16 unit like Array.sort)', () => {
    const value = { '\u{1F600}': 1, '\uffff': 2, '\ue000': 6, a: 3, Z: 4, '': 5, é: 7 };
    expect(canonicalJson(value)).toBe('{"":5,"Z":4,"a":3,"\\u00e9":7,"\\ue000":6,"\\uffff":2,"\\ud83d\\ude00":1}');
    expect(['\u{1F600}', '\uffff'].sort()).toEqual(['\u{1F600}', '\uffff']); // JS default: the wrong order
    expect(['\u{1F600}', '\uffff'].sort(byCodePoint)).toEqual(['\uffff', '\u{1F600}']);
    expect(['ab', 'a', 'b', ''].sort(byCodePoint)).toEqual(['', 'a', 'ab', 'b']);
  });

  it('accepts null-prototype objects', () => {
    const o = Object.create(null) as Record<string, unknown>;
    o['k'] = 1;
    expect(canonicalJson(o)).toBe('{"k":1}');
  });
});

describe('canonicalJson: strings (ensure_ascii=True)', () => {
  it('escapes non-ASCII as lower-case \\uXXXX, astral as a surrogate pair', () => {
    expect(canonicalJson('é✓😀')).toBe('"\\u00e9\\u2713\\ud83d\\ude00"');
    expect(canonicalJson({ n: 'Zoë' })).toBe('{"n":"Zo\\u00eb"}');
    expect(canonicalJson('\u2028\u2029')).toBe('"\\u2028\\u2029"');
  });

  it('uses short escapes where Python does, \\u00XX for other controls and DEL, leaves "/" alone', () => {
    expect(canonicalJson('\u0000\u001f\u007f"\\/\n\r\t\b\f')).toBe('"\\u0000\\u001f\\u007f\\"\\\\/\\n\\r\\t\\b\\f"');
  });

  it('keeps a lone surrogate as its own escape', () => {
    expect(canonicalJson('\ud800x')).toBe('"\\ud800x"');
  });
});

describe('canonicalJson: numbers', () => {
  it('integers print as Python ints; bigint for exact big ints', () => {
    expect(canonicalJson([0, -1, 9007199254740991, 123456789012345678901234567890n])).toBe(
      '[0,-1,9007199254740991,123456789012345678901234567890]',
    );
    expect(canonicalJson(-0)).toBe('0');
  });

  it('non-integral floats print as Python repr', () => {
    const floats = [
      1.5,
      0.1,
      1e-5,
      1.5e-7,
      123.456,
      1e15 + 0.5,
      -0.25,
      2.5e-5,
      0.0001,
      5e-324,
      12345678901234.5,
      1.23e-18,
    ];
    expect(canonicalJson(floats)).toBe(
      '[1.5,0.1,1e-05,1.5e-07,123.456,1000000000000000.5,-0.25,2.5e-05,0.0001,5e-324,12345678901234.5,1.23e-18]',
    );
  });

  it('pythonFloatRepr also covers integral floats', () => {
    const cases: [number, string][] = [
      [1, '1.0'],
      [100, '100.0'],
      [-0, '-0.0'],
      [1e16, '1e+16'],
      [1.5e16, '1.5e+16'],
      [1e22, '1e+22'],
      [1.7976931348623157e308, '1.7976931348623157e+308'],
      [1e-7, '1e-07'],
      [1e21, '1e+21'],
    ];
    for (const [x, py] of cases) expect(pythonFloatRepr(x)).toBe(py);
  });

  it('refuses what it cannot reproduce exactly', () => {
    expect(() => canonicalJson(2 ** 53)).toThrow(/bigint/);
    expect(() => canonicalJson(1e21)).toThrow(RangeError);
    for (const x of [Number.NaN, Infinity, -Infinity]) expect(() => canonicalJson(x)).toThrow(/not valid JSON/);
  });
});

describe('canonicalJson: number text', () => {
  it('a JsonNumberText is written as its text: an integral float, an int beyond 2^53, an exponent', () => {
    const n = (t: string) => new JsonNumberText(t);
    expect(canonicalJson({ fee: n('0.0'), ns: n('1733580123456789012'), big: n('1e+16'), neg: n('-0.0') })).toBe(
      '{"big":1e+16,"fee":0.0,"neg":-0.0,"ns":1733580123456789012}',
    );
  });
  it('refuses text that is not a JSON number', () => {
    for (const t of ['', '01', '1.', '.5', 'NaN', '+1', '0x10', '1e', ' 1'])
      expect(() => new JsonNumberText(t), t).toThrow(SyntaxError);
  });
});

describe('canonicalJson: refusals', () => {
  it('undefined, functions, symbols, class instances, cycles', () => {
    expect(() => canonicalJson({ a: undefined })).toThrow(TypeError);
    expect(() => canonicalJson([undefined])).toThrow(TypeError);
    expect(() => canonicalJson(() => 1)).toThrow(TypeError);
    expect(() => canonicalJson(Symbol('s'))).toThrow(TypeError);
    expect(() => canonicalJson(new Date(0))).toThrow(/plain objects/);
    expect(() => canonicalJson(new Map())).toThrow(/plain objects/);
    const loop: Record<string, unknown> = {};
    loop['self'] = loop;
    expect(() => canonicalJson(loop)).toThrow(/circular/);
  });

  it('a shared (non-circular) child is fine', () => {
    const child = { x: 1 };
    expect(canonicalJson({ a: child, b: [child] })).toBe('{"a":{"x":1},"b":[{"x":1}]}');
  });
});
