// Image references as Kubernetes reads them: the distribution/reference grammar behind
// parsers.ParseImageName (pkg/util/parsers/parsers.go) and the kubelet's applyDefaultImageTag.

/** A parsed, normalized image reference, e.g. docker.io/library/nginx:1.27. */
export interface NamedReference {
  /** Registry host with optional port, e.g. `docker.io`, `127.0.0.1:5000`. */
  domain: string;
  /** Repository path inside the registry, e.g. `library/nginx`. */
  path: string;
  /** domain + '/' + path, e.g. docker.io/library/nginx, 127.0.0.1:5000/secure/app. */
  name: string;
  tag?: string;
  digest?: string;
}

/** A reference that does not follow the grammar; `.message` is upstream's text. */
export class InvalidReferenceError extends Error {
  override readonly name = 'InvalidReferenceError';
  constructor(message: string) {
    super(message);
  }
}

// Grammar from github.com/distribution/reference regexp.go (reference.go documents it).
const alphanumeric = '[a-z0-9]+';
const separator = '(?:[._]|__|[-]+)';
const pathComponent = `${alphanumeric}(?:${separator}${alphanumeric})*`;
const remoteName = `${pathComponent}(?:/${pathComponent})*`;
const domainNameComponent = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const domainName = `${domainNameComponent}(?:\\.${domainNameComponent})*`;
const ipv6address = '\\[(?:[a-fA-F0-9:]+)\\]';
const host = `(?:${domainName}|${ipv6address})`;
const domainAndPort = `${host}(?::[0-9]+)?`;
const namePat = `(?:${domainAndPort}/)?${remoteName}`;
const tagPat = '[\\w][\\w.-]{0,127}';
const digestPat = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9a-fA-F]{32,}';

const referenceRegexp = new RegExp(`^(${namePat})(?::(${tagPat}))?(?:@(${digestPat}))?$`);
const anchoredNameRegexp = new RegExp(`^(?:(${domainAndPort})/)?(${remoteName})$`);
const anchoredIdentifierRegexp = /^[a-f0-9]{64}$/;

// distribution/reference reference.go
const RepositoryNameTotalLengthMax = 255;
const ErrReferenceInvalidFormat = 'invalid reference format';
const ErrNameContainsUppercase = 'repository name must be lowercase';
const ErrNameEmpty = 'repository name must have at least one component';
const ErrNameTooLong = `repository name must not be more than ${RepositoryNameTotalLengthMax} characters`;

// distribution/reference normalize.go
const defaultDomain = 'docker.io';
const legacyDefaultDomain = 'index.docker.io';
const officialRepoPrefix = 'library/';
const localhost = 'localhost';

// Hex lengths of the algorithms go-digest registers by default (github.com/opencontainers/go-digest algorithm.go).
const digestHexLength: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 };

/** go-digest's digest.Parse: a registered algorithm and lowercase hex of the right length. */
function validateDigest(d: string): void {
  const i = d.indexOf(':');
  if (i <= 0 || i + 1 === d.length) throw new InvalidReferenceError('invalid checksum digest format');
  const algorithm = d.slice(0, i);
  const encoded = d.slice(i + 1);
  const want = digestHexLength[algorithm];
  if (want === undefined) throw new InvalidReferenceError('unsupported digest algorithm');
  if (encoded.length !== want) throw new InvalidReferenceError('invalid checksum digest length');
  if (!/^[a-f0-9]+$/.test(encoded)) throw new InvalidReferenceError('invalid checksum digest format');
}

/** reference.Parse (distribution/reference reference.go), without normalization. */
function parse(s: string): NamedReference {
  if (s === '') throw new InvalidReferenceError(ErrNameEmpty);
  const m = referenceRegexp.exec(s);
  if (!m) {
    const lower = s.toLowerCase();
    if (lower !== s && referenceRegexp.test(lower)) throw new InvalidReferenceError(ErrNameContainsUppercase);
    throw new InvalidReferenceError(ErrReferenceInvalidFormat);
  }
  const fullName = m[1] ?? '';
  const nm = anchoredNameRegexp.exec(fullName);
  const domain = nm?.[1] ?? '';
  const path = nm ? (nm[2] ?? '') : fullName;
  if (path.length > RepositoryNameTotalLengthMax) throw new InvalidReferenceError(ErrNameTooLong);
  const ref: NamedReference = { domain, path, name: domain === '' ? path : `${domain}/${path}` };
  if (m[2]) ref.tag = m[2];
  if (m[3]) {
    validateDigest(m[3]);
    ref.digest = m[3];
  }
  return ref;
}

/** splitDockerDomain (distribution/reference normalize.go). */
function splitDockerDomain(name: string): [domain: string, remainder: string] {
  const slash = name.indexOf('/');
  if (slash === -1) return [defaultDomain, officialRepoPrefix + name];
  const maybeDomain = name.slice(0, slash);
  const maybeRemote = name.slice(slash + 1);
  let domain: string;
  let remainder: string;
  if (maybeDomain === localhost) [domain, remainder] = [maybeDomain, maybeRemote];
  else if (maybeDomain === legacyDefaultDomain) [domain, remainder] = [defaultDomain, maybeRemote];
  else if (/[.:]/.test(maybeDomain)) [domain, remainder] = [maybeDomain, maybeRemote];
  else if (maybeDomain.toLowerCase() !== maybeDomain) [domain, remainder] = [maybeDomain, maybeRemote];
  else [domain, remainder] = [defaultDomain, name];
  if (domain === defaultDomain && !remainder.includes('/')) remainder = officialRepoPrefix + remainder;
  return [domain, remainder];
}

/** ParseNormalizedNamed (distribution/reference normalize.go): `nginx` → docker.io/library/nginx. */
export function parseNormalizedNamed(ref: string): NamedReference {
  if (anchoredIdentifierRegexp.test(ref)) {
    throw new InvalidReferenceError(`invalid repository name (${ref}), cannot specify 64-byte hexadecimal strings`);
  }
  const [domain, remainder] = splitDockerDomain(ref);
  const tagSep = remainder.indexOf(':');
  const remote = tagSep > -1 ? remainder.slice(0, tagSep) : remainder;
  if (remote.toLowerCase() !== remote) {
    throw new InvalidReferenceError(`invalid reference format: repository name (${remote}) must be lowercase`);
  }
  return parse(`${domain}/${remainder}`);
}

/** parsers.ParseImageName (pkg/util/parsers/parsers.go): tag "latest" when neither tag nor digest is given. */
export function parseImageName(image: string): { repository: string; tag: string; digest: string } {
  const named = parseNormalizedNamed(image);
  const digest = named.digest ?? '';
  let tag = named.tag ?? '';
  if (tag === '' && digest === '') tag = 'latest';
  return { repository: named.name, tag, digest };
}

/** The reference's String() as distribution/reference prints it: name[:tag][@digest]. */
export function referenceString(r: NamedReference): string {
  return `${r.name}${r.tag ? `:${r.tag}` : ''}${r.digest ? `@${r.digest}` : ''}`;
}

/** The image name without tag or digest, as the pull manager keys its records (trimImageTagDigest, pullmanager/image_pull_manager.go). */
export function trimImageTagDigest(image: string): string {
  return parseImageName(image).repository;
}

/**
 * applyDefaultImageTag (pkg/kubelet/images/image_manager.go): appends ":latest" when the image has
 * neither tag nor digest, keeping the short name (no docker.io/ prefix) so the runtime sees what the user wrote.
 */
export function applyDefaultImageTag(image: string): string {
  const { tag, digest } = parseImageName(image);
  if (digest.length === 0 && tag.length > 0 && !image.endsWith(`:${tag}`)) return `${image}:${tag}`;
  return image;
}
