/**
 * The htpasswd file of the local test registry. distribution's htpasswd auth accepts only bcrypt entries
 * (checked with Go's x/crypto/bcrypt, which takes $2a$, $2b$ and $2y$); bcryptjs writes $2b$ with a random salt.
 */
import bcrypt from 'bcryptjs';

/** One htpasswd line, `user:$2b$<cost>$<22 salt chars><31 hash chars>`. */
export const htpasswdLine = (user: string, password: string, cost = 10) => `${user}:${bcrypt.hashSync(password, cost)}`;
