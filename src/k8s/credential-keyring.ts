// The kubelet's credential keyring: which pull-secret entries apply to an image.
// Upstream: pkg/credentialprovider/keyring.go (BasicDockerKeyring.Add/Lookup, URLsMatch, isDefaultRegistryMatch)
// and pkg/credentialprovider/config.go (DockerConfigEntry.UnmarshalJSON, decodeDockerConfigFieldAuth).

/** One `auths` entry after decoding (config.go DockerConfigEntry). */
export interface DockerConfigEntry {
  username: string;
  password: string;
  email?: string;
}

/** Registry location → entry, the `auths` map of a .dockerconfigjson (config.go DockerConfig). */
export type DockerConfig = Record<string, DockerConfigEntry>;

/** An error in a pull secret's JSON, with upstream's message. */
export class DockerConfigError extends Error {
  override readonly name = 'DockerConfigError';
}

/** decodeDockerConfigFieldAuth (config.go): base64 (padded or not) of `username:password`. */
export function decodeDockerConfigFieldAuth(field: string): { username: string; password: string } {
  const padded = field.trim().endsWith('=');
  const valid = padded ? /^[A-Za-z0-9+/]*={0,2}$/.test(field) && field.length % 4 === 0 : /^[A-Za-z0-9+/]*$/.test(field) && field.length % 4 !== 1;
  if (!valid) throw new DockerConfigError(`illegal base64 data in auth field`);
  const decoded = Buffer.from(field, 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  if (i < 0) throw new DockerConfigError('unable to parse auth field, must be formatted as base64(username:password)');
  return { username: decoded.slice(0, i), password: decoded.slice(i + 1) };
}

/** DockerConfigEntry.UnmarshalJSON (config.go): a non-empty `auth` overrides username and password. */
export function parseDockerConfigEntry(value: unknown): DockerConfigEntry {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new DockerConfigError('auths entry is not an object');
  const v = value as Record<string, unknown>;
  const str = (k: string): string => {
    const x = v[k];
    if (x === undefined || x === null) return '';
    if (typeof x !== 'string') throw new DockerConfigError(`auths entry field ${k} is not a string`);
    return x;
  };
  const entry: DockerConfigEntry = { username: str('username'), password: str('password') };
  const email = str('email');
  if (email) entry.email = email;
  const auth = str('auth');
  if (auth.length === 0) return entry;
  return { ...entry, ...decodeDockerConfigFieldAuth(auth) };
}

interface ParsedURL {
  host: string;
  path: string;
}

/** Go's url.Parse("https://" + s) reduced to what matching needs: host (with port) and path. */
function parseSchemelessURL(s: string): ParsedURL | undefined {
  const slash = s.indexOf('/');
  const host = slash < 0 ? s : s.slice(0, slash);
  const rest = slash < 0 ? '' : s.slice(slash);
  if (/[\s\\^`{}|<>"]/.test(host)) return undefined;
  const path = rest.split(/[?#]/)[0] ?? '';
  return { host, path };
}

/** splitURL: host labels and port (net.SplitHostPort; no port when it does not parse). */
function splitURL(u: ParsedURL): { parts: string[]; port: string } {
  const m = /^(\[[^\]]*\]|[^:]*):([^:]*)$/.exec(u.host);
  if (m) return { parts: m[1]!.replace(/^\[|\]$/g, '').split('.'), port: m[2]! };
  return { parts: u.host.split('.'), port: '' };
}

/** Go's path/filepath.Match for one host label: `*`, `?`, `[…]` (with `^` negation), `\` escapes. */
function globMatch(pattern: string, name: string): boolean {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '\\') {
      const next = pattern[++i];
      if (next === undefined) throw new Error('syntax error in pattern');
      re += next.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
    } else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0) throw new Error('syntax error in pattern');
      let body = pattern.slice(i + 1, end);
      if (body.startsWith('^')) body = `^${body.slice(1)}`;
      re += `[${body.replace(/\\(?!.)/g, '\\\\')}]`;
      i = end;
    } else re += c.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
  }
  return new RegExp(`^${re}$`).test(name);
}

/**
 * URLsMatch: ports equal, same number of host labels, the credential's path a prefix of the image's,
 * and each label glob-matching (`*.example.com` matches `a.example.com`, not `example.com`).
 */
export function urlsMatchStr(glob: string, target: string): boolean {
  const g = parseSchemelessURL(glob);
  const t = parseSchemelessURL(target);
  if (!g || !t) return false;
  const gs = splitURL(g);
  const ts = splitURL(t);
  if (gs.port !== ts.port) return false;
  if (gs.parts.length !== ts.parts.length) return false;
  if (!t.path.startsWith(g.path)) return false;
  try {
    return gs.parts.every((p, k) => globMatch(p, ts.parts[k]!));
  } catch {
    return false; // a malformed pattern never matches (Lookup ignores the error)
  }
}

const defaultRegistryHost = 'index.docker.io';

/** isDefaultRegistryMatch: whether an image name goes to Docker Hub. */
export function isDefaultRegistryMatch(image: string): boolean {
  const slash = image.indexOf('/');
  const first = slash < 0 ? image : image.slice(0, slash);
  if (first.length === 0) return false;
  if (slash < 0) return true;
  if (first === 'docker.io' || first === 'index.docker.io') return true;
  return !/[.:]/.test(first);
}

/** BasicDockerKeyring: credentials indexed by registry location, most specific first. */
export class BasicDockerKeyring<T extends DockerConfigEntry = DockerConfigEntry> {
  private index: string[] = [];
  private readonly creds = new Map<string, T[]>();

  /** Add: schemes dropped, `/v1/` and `/v2/` path prefixes equal to the bare host, index reverse-sorted. */
  add(cfg: Record<string, T>): void {
    for (const [loc, ident] of Object.entries(cfg)) {
      let value = loc;
      if (!value.startsWith('https://') && !value.startsWith('http://')) value = `https://${value}`;
      const rest = value.slice(value.indexOf('://') + 3);
      const parsed = parseSchemelessURL(rest);
      if (!parsed) continue; // "Entry %q in dockercfg invalid (%v), ignoring"
      let effectivePath = parsed.path;
      if (effectivePath.startsWith('/v2/') || effectivePath.startsWith('/v1/')) effectivePath = effectivePath.slice(3);
      const key = effectivePath.length > 0 && effectivePath !== '/' ? parsed.host + effectivePath : parsed.host;
      const list = this.creds.get(key) ?? [];
      list.push(ident);
      this.creds.set(key, list);
      this.index.push(key);
    }
    // Reverse-sorted so that quay.io/coreos is tried before quay.io for quay.io/coreos/etcd.
    this.index = [...new Set(this.index)].sort().reverse();
  }

  /** Lookup: every matching entry, most specific first; else Docker Hub's entry for Docker Hub images. */
  lookup(image: string): T[] {
    const ret: T[] = [];
    for (const k of this.index) if (urlsMatchStr(k, image)) ret.push(...(this.creds.get(k) ?? []));
    if (ret.length > 0) return ret;
    if (isDefaultRegistryMatch(image)) return this.creds.get(defaultRegistryHost) ?? [];
    return [];
  }
}
