import { describe, expect, test } from 'vitest';
import { bcryptBase64, bcryptBase64Decode, bcryptHash, bcryptVerify, htpasswdLine } from '../../helpers/registry/bcrypt.ts';

// Published bcrypt test vectors (the jBCrypt/OpenBSD set), cost 6; also accepted by libxcrypt's crypt(3).
const VECTORS: [string, string][] = [
  ['', '$2a$06$DCq7YPn5Rq63x1Lad4cll.TV4S6ytwfsfvkgY8jIucDrjc8deX1s.'],
  ['abc', '$2a$06$If6bvum7DFjUnE9p2uDeDu0YHzrHM6tf.iqN8.yx.jNN1ILEf7h0i'],
];

describe('bcrypt for the test registry htpasswd', () => {
  test.each(VECTORS)('known vector for %j', (pw, hash) => {
    expect(bcryptVerify(pw, hash)).toBe(true);
    expect(bcryptVerify(`${pw}x`, hash)).toBe(false);
  });
  test('a fresh hash verifies, has the $2b$ form, and a random salt', () => {
    const h = bcryptHash('s3cret:with colon', 5);
    expect(h).toMatch(/^\$2b\$05\$[./A-Za-z0-9]{53}$/);
    expect(bcryptVerify('s3cret:with colon', h)).toBe(true);
    expect(bcryptHash('s3cret', 5)).not.toBe(bcryptHash('s3cret', 5));
  });
  test("bcrypt's base64 round-trips a 16-byte salt in 22 characters", () => {
    const salt = Buffer.from([...Array(16).keys()].map((i) => i * 17));
    expect(bcryptBase64(salt)).toHaveLength(22);
    expect(bcryptBase64Decode(bcryptBase64(salt), 16)).toEqual(salt);
  });
  test('htpasswd line', () => expect(htpasswdLine('ci', 'pw', 4)).toMatch(/^ci:\$2b\$04\$/));
});
