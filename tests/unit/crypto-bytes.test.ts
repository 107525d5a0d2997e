import { describe, expect, it } from 'vitest';
import {
  flipHexByte,
  fromBase64Url,
  isHex64,
  mod251Bytes,
  toBase64Url,
  ZERO_HASH_HEX,
} from '../../helpers/crypto/bytes.ts';

describe('byte helpers', () => {
  it('isHex64: exactly 64 lower-case hex digits, no 0x', () => {
    expect(isHex64(ZERO_HASH_HEX)).toBe(true);
    expect(isHex64('A'.repeat(64))).toBe(false);
    expect(isHex64(`0x${'0'.repeat(62)}`)).toBe(false);
    expect(isHex64('0'.repeat(63))).toBe(false);
    expect(isHex64(42)).toBe(false);
  });

  it('flipHexByte changes exactly one byte, wraps the index, answers lower-case', () => {
    expect(flipHexByte('0000')).toBe('0100');
    expect(flipHexByte('0000', 1)).toBe('0001');
    expect(flipHexByte('0000', -1)).toBe('0001');
    expect(flipHexByte('ABCD', 2)).toBe('aacd');
    expect(() => flipHexByte('')).toThrow(/empty/);
  });

  it('mod251Bytes wraps at 251 and honours the start offset', () => {
    const b = mod251Bytes(253);
    expect([b[0], b[250], b[251], b[252]]).toEqual([0, 250, 0, 1]);
    expect([...mod251Bytes(3, 249)]).toEqual([249, 250, 0]);
  });

  it('base64url round trip, no padding, strict alphabet', () => {
    const bytes = Uint8Array.from([251, 255, 190, 0]);
    expect(toBase64Url(bytes)).toBe('-_--AA');
    expect(fromBase64Url('-_--AA')).toEqual(bytes);
    expect(fromBase64Url('-_--AA==')).toEqual(bytes);
    expect(toBase64Url(new Uint8Array(new ArrayBuffer(8), 2, 3))).toBe('AAAA');
    expect(() => fromBase64Url('a+b/')).toThrow(/base64url/);
  });
});
