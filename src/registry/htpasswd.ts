// htpasswd files as registry:2 reads them (distribution registry/auth/htpasswd): `user:bcrypt-hash` lines,
// written the way apache2-utils' `htpasswd -B` writes them, so the same file serves distribution and our registry.
import bcrypt from 'bcryptjs';

/** htpasswd lines `user:hash`; only bcrypt hashes, as distribution accepts only those. */
export function parseHtpasswd(text: string): Map<string, string> {
  const users = new Map<string, string>();
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const i = line.indexOf(':');
    if (i <= 0) continue;
    const hash = line.slice(i + 1);
    if (/^\$2[aby]\$\d\d\$/.test(hash)) users.set(line.slice(0, i), hash);
  }
  return users;
}

/** An htpasswd line like `htpasswd -Bbn user pass` writes (bcrypt, cost 5, `$2y$`). */
export function htpasswdLine(username: string, password: string, cost = 5): string {
  if (username.includes(':') || /\s/.test(username)) throw new Error('htpasswd usernames cannot hold ":" or spaces');
  const hash = bcrypt.hashSync(password, cost).replace(/^\$2[ab]\$/, '$2y$');
  return `${username}:${hash}`;
}
