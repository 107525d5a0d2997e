/**
 * bcrypt, for the htpasswd file of the local test registry (distribution accepts only bcrypt, and neither Node
 * nor this host has it; apache2-utils' htpasswd is not installed). Written from the published algorithm
 * (Provos & Mazières, "A Future-Adaptable Password Scheme", 1999): EksBlowfish setup, then "OrpheanBeholderScryDoubt"
 * enciphered 64 times. Blowfish's initial P-array and S-boxes are the hexadecimal digits of π after the point, so
 * they are computed here (Machin's formula on BigInts) rather than pasted in as a table.
 */
import { randomBytes } from 'node:crypto';

const WORDS = 18 + 4 * 256;

/** The first `words` 32-bit words of π's fractional part. */
function piWords(words: number): Uint32Array {
  const bits = BigInt(words * 32 + 64); // 64 guard bits absorb the truncation error of the series
  const one = 1n << bits;
  const arctanInv = (x: bigint) => {
    // atan(1/x) = Σ (-1)^k / ((2k+1) x^(2k+1))
    let sum = 0n;
    let power = one / x;
    const x2 = x * x;
    for (let k = 0n; power !== 0n; k++) {
      const term = power / (2n * k + 1n);
      sum += k % 2n === 0n ? term : -term;
      power /= x2;
    }
    return sum;
  };
  const pi = 16n * arctanInv(5n) - 4n * arctanInv(239n);
  const frac = (pi - 3n * one) >> 64n;
  const out = new Uint32Array(words);
  for (let i = 0; i < words; i++) out[i] = Number((frac >> BigInt((words - 1 - i) * 32)) & 0xffffffffn);
  return out;
}

let initial: Uint32Array | undefined;
const blowfishInit = () => (initial ??= piWords(WORDS));

class Blowfish {
  readonly p: Uint32Array;
  readonly s: Uint32Array;
  constructor() {
    const init = blowfishInit();
    this.p = init.slice(0, 18);
    this.s = init.slice(18);
  }

  private f(x: number): number {
    const s = this.s;
    return (((s[x >>> 24]! + s[256 + ((x >>> 16) & 0xff)]!) ^ s[512 + ((x >>> 8) & 0xff)]!) + s[768 + (x & 0xff)]!) >>> 0;
  }

  encipher(lr: Uint32Array, off: number): void {
    let l = lr[off]!;
    let r = lr[off + 1]!;
    for (let i = 0; i < 16; i += 2) {
      l = (l ^ this.p[i]!) >>> 0;
      r = (r ^ this.f(l)) >>> 0;
      r = (r ^ this.p[i + 1]!) >>> 0;
      l = (l ^ this.f(r)) >>> 0;
    }
    lr[off] = (r ^ this.p[17]!) >>> 0;
    lr[off + 1] = (l ^ this.p[16]!) >>> 0;
  }

  /** Blowfish's key schedule, with bcrypt's salt folded in (salt undefined = the plain schedule). */
  expand(key: Uint8Array, salt?: Uint8Array): void {
    const word = (data: Uint8Array, pos: { i: number }) => {
      let w = 0;
      for (let b = 0; b < 4; b++) {
        w = ((w << 8) | data[pos.i]!) >>> 0;
        pos.i = (pos.i + 1) % data.length;
      }
      return w;
    };
    const kp = { i: 0 };
    for (let i = 0; i < 18; i++) this.p[i] = (this.p[i]! ^ word(key, kp)) >>> 0;
    const sp = { i: 0 };
    const lr = new Uint32Array(2);
    const fill = (table: Uint32Array) => {
      for (let i = 0; i < table.length; i += 2) {
        if (salt) {
          lr[0] = (lr[0]! ^ word(salt, sp)) >>> 0;
          lr[1] = (lr[1]! ^ word(salt, sp)) >>> 0;
        }
        this.encipher(lr, 0);
        table[i] = lr[0]!;
        table[i + 1] = lr[1]!;
      }
    };
    fill(this.p);
    fill(this.s);
  }
}

const B64 = './ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const STD = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** bcrypt's base64: standard bit order, its own alphabet, no padding. */
export const bcryptBase64 = (b: Uint8Array) => [...Buffer.from(b).toString('base64').replace(/=+$/, '')].map((c) => B64[STD.indexOf(c)]).join('');

export function bcryptBase64Decode(s: string, bytes: number): Buffer {
  const std = [...s].map((c) => STD[B64.indexOf(c)]).join('');
  return Buffer.from(std, 'base64').subarray(0, bytes);
}

/** `$2b$<cost>$<22 salt chars><31 hash chars>`; the salt is random unless given (tests use known vectors). */
export function bcryptHash(password: string, cost = 10, salt: Uint8Array = randomBytes(16), version: '2a' | '2b' | '2y' = '2b'): string {
  if (cost < 4 || cost > 31) throw new Error(`bcrypt cost must be 4..31, got ${cost}`);
  if (salt.length !== 16) throw new Error('bcrypt salt must be 16 bytes');
  const key = Buffer.concat([Buffer.from(password, 'utf8'), Buffer.from([0])]).subarray(0, 72);
  const bf = new Blowfish();
  bf.expand(key, salt);
  for (let r = 0; r < 2 ** cost; r++) {
    bf.expand(key);
    bf.expand(salt);
  }
  const text = Buffer.from('OrpheanBeholderScryDoubt', 'latin1');
  const ctext = new Uint32Array(6);
  for (let i = 0; i < 6; i++) ctext[i] = text.readUInt32BE(i * 4);
  for (let n = 0; n < 64; n++) for (let j = 0; j < 6; j += 2) bf.encipher(ctext, j);
  const out = Buffer.alloc(24);
  ctext.forEach((w, i) => out.writeUInt32BE(w, i * 4));
  return `$${version}$${String(cost).padStart(2, '0')}$${bcryptBase64(salt).slice(0, 22)}${bcryptBase64(out.subarray(0, 23))}`;
}

/** Recomputes `hash` for `password` with the hash's own version, cost and salt. */
export function bcryptVerify(password: string, hash: string): boolean {
  const m = /^\$(2[aby])\$(\d\d)\$([./A-Za-z0-9]{22})([./A-Za-z0-9]{31})$/.exec(hash);
  if (!m) return false;
  return bcryptHash(password, Number(m[2]), bcryptBase64Decode(m[3]!, 16), m[1] as '2a' | '2b' | '2y') === hash;
}

/** One htpasswd line, as `htpasswd -B` writes it. */
export const htpasswdLine = (user: string, password: string, cost = 10) => `${user}:${bcryptHash(password, cost)}`;
