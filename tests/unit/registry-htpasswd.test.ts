import bcrypt from 'bcryptjs';
import { describe, expect, test } from 'vitest';
import { htpasswdLine } from '../support/htpasswd.ts';

// Published bcrypt test vectors (the jBCrypt/OpenBSD set), cost 6: bcryptjs must compute standard bcrypt,
// the one Go's x/crypto/bcrypt (distribution's htpasswd check) computes.
const VECTORS: [string, string][] = [
  ['', '$2a$06$DCq7YPn5Rq63x1Lad4cll.TV4S6ytwfsfvkgY8jIucDrjc8deX1s.'],
  ['abc', '$2a$06$If6bvum7DFjUnE9p2uDeDu0YHzrHM6tf.iqN8.yx.jNN1ILEf7h0i'],
];

describe('htpasswd for the test registry', () => {
  test.each(VECTORS)('known answer for %j', (pw, hash) => {
    expect(bcrypt.hashSync(pw, hash.slice(0, 29))).toBe(hash);
    expect(bcrypt.compareSync(`${pw}x`, hash)).toBe(false);
  });
  test('a line is user:$2b$<cost>$…, verifies, and has a random salt', async () => {
    const line = htpasswdLine('ci', 's3cret:with colon', 5);
    expect(line).toMatch(/^ci:\$2b\$05\$[./A-Za-z0-9]{53}$/);
    const hash = line.slice('ci:'.length);
    expect(await bcrypt.compare('s3cret:with colon', hash)).toBe(true);
    expect(await bcrypt.compare('s3cret', hash)).toBe(false);
    expect(htpasswdLine('ci', 'pw', 4)).not.toBe(htpasswdLine('ci', 'pw', 4));
  });
});
