// A node's content-addressed image store, as containerd's CRI image service presents it to the kubelet.
//
//   const store = new ImageStore();
//   store.addImage('127.0.0.1:5000/secure/app:v1', { manifest, config, layers })  → CachedImage
//   store.getImageRef('127.0.0.1:5000/secure/app:v1')   → 'sha256:<config digest>' | undefined  (kubelet GetImageRef)
//   store.imageStatus(ref) → CachedImage | undefined     store.listImages() → CachedImage[]
//   store.removeImage(ref) → CachedImage | undefined     (crictl rmi / CRI RemoveImage: every reference goes)
//   store.hasBlob(digest) / store.getBlob(digest)        (blobs are shared by the images of this node only)
//
// The store knows nothing of who put an image here (kubelet pull or preload): containerd does not either;
// KEP-2535 pull records (src/k8s/pull-manager.ts) tell the two apart.
import { createHash } from 'node:crypto';
import { InvalidReferenceError, parseNormalizedNamed, referenceString } from '../../k8s/image-reference.js';

/** A content descriptor (image-spec descriptor.md). */
export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
}

/** The parts of an image config the runtime uses (image-spec config.md). */
export interface ImageConfig {
  Env?: string[];
  Entrypoint?: string[] | null;
  Cmd?: string[] | null;
  WorkingDir?: string;
  User?: string;
}

/** One image as CRI ImageStatus/ListImages show it, plus what the runtime needs to run it. */
export interface CachedImage {
  /** The config digest: what ImageStatus returns as `id` and the kubelet's GetImageRef as the image ref. */
  id: string;
  /** `name:tag`, normalized (docker.io/library/busybox:latest). */
  repoTags: string[];
  /** `name@sha256:<manifest digest>`. */
  repoDigests: string[];
  /** Bytes of manifest + config + compressed layers (containerd images.Image.Size). */
  size: number;
  manifestDigest: string;
  /** Layer descriptors in order, bottom first. */
  layers: Descriptor[];
  /** Uncompressed layer digests from the config's rootfs.diff_ids, parallel to `layers`. */
  diffIds: string[];
  /** The config's `config` section (Entrypoint, Cmd, Env, WorkingDir, User). */
  config: ImageConfig;
}

/** What a pull fetched: raw manifest and config bytes, and each layer's bytes in manifest order.
 * A `null` layer means "already in this node's store" (check with hasBlob before fetching). */
export interface ImageContent {
  manifest: Uint8Array;
  config: Uint8Array;
  layers: readonly (Uint8Array | null)[];
}

/** Bad content or reference given to the store; the message says what is wrong. */
export class ImageStoreError extends Error {
  override readonly name = 'ImageStoreError';
}

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
const INDEX_TYPES = ['application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json'];

const digestAlgorithms: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 };

/** go-digest's Parse: `algorithm:hex` with a registered algorithm and the right length. */
export function isDigest(value: string): boolean {
  const i = value.indexOf(':');
  const want = digestAlgorithms[value.slice(0, i)];
  return i > 0 && want !== undefined && value.length - i - 1 === want && /^[a-f0-9]+$/.test(value.slice(i + 1));
}

/** The digest of `data` with the algorithm of `like` (sha256 unless told). */
export function digestOf(data: Uint8Array, like = 'sha256:'): string {
  const algorithm = like.slice(0, like.indexOf(':'));
  return `${algorithm}:${createHash(algorithm).update(data).digest('hex')}`;
}

/**
 * containerd's ParseDockerRef (reference/docker/reference.go): normalize, add `:latest` when there is
 * neither tag nor digest, and drop the tag when both are present (the digest wins).
 */
export function parseDockerRef(ref: string): { name: string; tag?: string; digest?: string; string: string } {
  const named = parseNormalizedNamed(ref);
  if (named.digest) return { name: named.name, digest: named.digest, string: `${named.name}@${named.digest}` };
  const tag = named.tag ?? 'latest';
  return { name: named.name, tag, string: referenceString({ ...named, tag }) };
}

function object(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ImageStoreError(`${what} is not a JSON object`);
  return value as Record<string, unknown>;
}

function parseJson(bytes: Uint8Array, what: string): Record<string, unknown> {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    throw new ImageStoreError(`${what} is not valid JSON`);
  }
  return object(json, what);
}

function descriptor(value: unknown, where: string): Descriptor {
  const d = object(value, where);
  if (typeof d.mediaType !== 'string' || d.mediaType === '') throw new ImageStoreError(`${where}.mediaType is missing`);
  if (typeof d.digest !== 'string' || !isDigest(d.digest)) throw new ImageStoreError(`${where}.digest is not a valid digest`);
  if (typeof d.size !== 'number' || !Number.isSafeInteger(d.size) || d.size < 0) throw new ImageStoreError(`${where}.size is not a valid size`);
  return { mediaType: d.mediaType, digest: d.digest, size: d.size };
}

function stringArray(value: unknown, where: string): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) throw new ImageStoreError(`${where} must be an array of strings`);
  return value as string[];
}

function parseManifest(bytes: Uint8Array): { config: Descriptor; layers: Descriptor[] } {
  const m = parseJson(bytes, 'manifest');
  if ((typeof m.mediaType === 'string' && INDEX_TYPES.includes(m.mediaType)) || Array.isArray(m.manifests)) {
    throw new ImageStoreError('manifest is an image index; resolve the platform manifest before adding the image');
  }
  if (m.mediaType !== undefined && m.mediaType !== OCI_MANIFEST && m.mediaType !== DOCKER_MANIFEST) {
    throw new ImageStoreError(`unsupported manifest media type ${JSON.stringify(m.mediaType)}`);
  }
  if (m.schemaVersion !== 2) throw new ImageStoreError('manifest schemaVersion must be 2');
  if (!Array.isArray(m.layers)) throw new ImageStoreError('manifest.layers must be an array');
  return { config: descriptor(m.config, 'manifest.config'), layers: m.layers.map((l, i) => descriptor(l, `manifest.layers[${i}]`)) };
}

function parseConfig(bytes: Uint8Array, layerCount: number): { config: ImageConfig; diffIds: string[] } {
  const c = parseJson(bytes, 'image config');
  const rootfs = object(c.rootfs, 'image config rootfs');
  const diffIds = stringArray(rootfs.diff_ids, 'image config rootfs.diff_ids') ?? [];
  if (diffIds.length !== layerCount) {
    throw new ImageStoreError(`image config lists ${diffIds.length} diff_ids but the manifest has ${layerCount} layers`);
  }
  for (const d of diffIds) if (!isDigest(d)) throw new ImageStoreError(`image config diff_id ${JSON.stringify(d)} is not a valid digest`);
  const section = c.config === undefined || c.config === null ? {} : object(c.config, 'image config config');
  const config: ImageConfig = {};
  const env = stringArray(section.Env, 'config.Env');
  if (env) config.Env = env;
  if ('Entrypoint' in section) config.Entrypoint = stringArray(section.Entrypoint, 'config.Entrypoint') ?? null;
  if ('Cmd' in section) config.Cmd = stringArray(section.Cmd, 'config.Cmd') ?? null;
  if (typeof section.WorkingDir === 'string') config.WorkingDir = section.WorkingDir;
  if (typeof section.User === 'string') config.User = section.User;
  return { config, diffIds };
}

interface StoredImage {
  id: string;
  manifestDigest: string;
  manifestSize: number;
  configDescriptor: Descriptor;
  layers: Descriptor[];
  diffIds: string[];
  config: ImageConfig;
  /** containerd image names pointing at this image: tag refs, digest refs and the id itself. */
  references: Set<string>;
}

// Short-ID lookup over image ids, as docker/distribution digestset.Lookup does for crictl's short IDs.
const AMBIGUOUS = 'ambiguous digest string';

export class ImageStore {
  readonly #blobs = new Map<string, Uint8Array>();
  readonly #images = new Map<string, StoredImage>();
  /** reference (normalized tag ref, digest ref, or id) → image id (containerd CRI image store refCache). */
  readonly #refs = new Map<string, string>();

  hasBlob(digest: string): boolean {
    return this.#blobs.has(digest);
  }

  getBlob(digest: string): Uint8Array | undefined {
    return this.#blobs.get(digest);
  }

  /** Every blob in this node's store (for the UI and tests). */
  blobDigests(): string[] {
    return [...this.#blobs.keys()].sort();
  }

  /**
   * Records a pulled or preloaded image under `ref`, as containerd CRI PullImage does
   * (internal/cri/server/images/image_pull.go): references for the id, the tag and the repo digest.
   * Every blob is verified against its descriptor before anything is stored.
   */
  addImage(ref: string, content: ImageContent): CachedImage {
    const named = this.#parseRef(ref);
    const manifestDigest = digestOf(content.manifest);
    if (named.digest && named.digest !== digestOf(content.manifest, named.digest)) {
      throw new ImageStoreError(`manifest digest ${manifestDigest} does not match the reference ${ref}`);
    }
    const manifest = parseManifest(content.manifest);
    verify(content.config, manifest.config, 'config');
    if (content.layers.length !== manifest.layers.length) {
      throw new ImageStoreError(`manifest lists ${manifest.layers.length} layers but ${content.layers.length} were given`);
    }
    const { config, diffIds } = parseConfig(content.config, manifest.layers.length);
    const newBlobs = new Map<string, Uint8Array>();
    manifest.layers.forEach((desc, i) => {
      const bytes = content.layers[i];
      if (bytes === null || bytes === undefined) {
        if (!this.#blobs.has(desc.digest)) throw new ImageStoreError(`layer ${desc.digest} was not given and is not in this node's store`);
        return;
      }
      verify(bytes, desc, `layer ${i}`);
      newBlobs.set(desc.digest, bytes);
    });
    newBlobs.set(manifest.config.digest, content.config);
    newBlobs.set(manifestDigest, content.manifest);
    for (const [d, b] of newBlobs) if (!this.#blobs.has(d)) this.#blobs.set(d, b);

    const id = manifest.config.digest;
    let image = this.#images.get(id);
    if (!image) {
      image = {
        id,
        manifestDigest,
        manifestSize: content.manifest.byteLength,
        configDescriptor: manifest.config,
        layers: manifest.layers,
        diffIds,
        config,
        references: new Set(),
      };
      this.#images.set(id, image);
    }
    // util.GetRepoDigestAndTag: the repo digest is the ref itself when it has a digest, else name@manifest.
    const repoDigest = named.digest ? named.string : `${named.name}@${manifestDigest}`;
    for (const r of [id, named.tag ? named.string : undefined, repoDigest]) if (r) this.#point(r, id);
    return this.#toCached(image);
  }

  /** The kubelet's GetImageRef: the image id when `image` resolves locally, else undefined. */
  getImageRef(image: string): string | undefined {
    return this.#resolve(image)?.id;
  }

  /** CRI ImageStatus: the image `image` resolves to (tag ref, digest ref, id or unique id prefix). */
  imageStatus(image: string): CachedImage | undefined {
    const found = this.#resolve(image);
    return found && this.#toCached(found);
  }

  /** CRI ListImages: what is cached on this node, newest reference order not guaranteed; sorted by first tag. */
  listImages(): CachedImage[] {
    return [...this.#images.values()].map((i) => this.#toCached(i)).sort((a, b) => sortKey(a).localeCompare(sortKey(b)));
  }

  /**
   * CRI RemoveImage (internal/cri/server/images/image_remove.go): removes every reference of the image
   * `ref` resolves to (not only the named tag), then garbage-collects blobs no image uses.
   * Returns the removed image, or undefined when nothing matched (upstream treats that as success).
   */
  removeImage(ref: string): CachedImage | undefined {
    const image = this.#resolve(ref);
    if (!image) return undefined;
    const removed = this.#toCached(image);
    for (const r of image.references) this.#refs.delete(r);
    this.#images.delete(image.id);
    this.#collectGarbage();
    return removed;
  }

  #parseRef(ref: string): ReturnType<typeof parseDockerRef> {
    try {
      return parseDockerRef(ref);
    } catch (err) {
      if (err instanceof InvalidReferenceError) throw new ImageStoreError(`invalid image reference ${JSON.stringify(ref)}: ${err.message}`);
      throw err;
    }
  }

  /** Points containerd image name `ref` at image `id`, moving it off any image it named before. */
  #point(ref: string, id: string): void {
    const previous = this.#refs.get(ref);
    if (previous !== undefined && previous !== id) {
      const old = this.#images.get(previous);
      old?.references.delete(ref);
      if (old && old.references.size === 0) this.#images.delete(old.id);
    }
    this.#refs.set(ref, id);
    this.#images.get(id)?.references.add(ref);
  }

  /** LocalResolve (containerd internal/cri/server/images/service.go): a digest is an id; else a ref; else an id prefix. */
  #resolve(refOrId: string): StoredImage | undefined {
    if (refOrId === '') return undefined;
    let id: string | undefined;
    if (isDigest(refOrId)) id = refOrId;
    else {
      try {
        id = this.#refs.get(parseDockerRef(refOrId).string);
      } catch (err) {
        if (!(err instanceof InvalidReferenceError)) throw err;
      }
    }
    return this.#lookup(id ?? refOrId);
  }

  /** imageStore.Get: an exact id, or a unique hex prefix of one (digestset.Lookup). */
  #lookup(idOrPrefix: string): StoredImage | undefined {
    const exact = this.#images.get(idOrPrefix);
    if (exact) return exact;
    if (!/^[a-f0-9]+$/.test(idOrPrefix)) return undefined;
    const matches = [...this.#images.values()].filter((i) => i.id.slice(i.id.indexOf(':') + 1).startsWith(idOrPrefix));
    if (matches.length > 1) throw new ImageStoreError(`${AMBIGUOUS}: ${idOrPrefix}`);
    return matches[0];
  }

  #collectGarbage(): void {
    const used = new Set<string>();
    for (const i of this.#images.values()) {
      used.add(i.manifestDigest);
      used.add(i.configDescriptor.digest);
      for (const l of i.layers) used.add(l.digest);
    }
    for (const d of this.#blobs.keys()) if (!used.has(d)) this.#blobs.delete(d);
  }

  #toCached(image: StoredImage): CachedImage {
    const repoTags: string[] = [];
    const repoDigests: string[] = [];
    // util.ParseImageReferences: tagged names become repoTags, digested names repoDigests, ids neither.
    for (const r of image.references) {
      if (isDigest(r)) continue;
      if (r.includes('@')) repoDigests.push(r);
      else repoTags.push(r);
    }
    const size = image.manifestSize + image.configDescriptor.size + image.layers.reduce((n, l) => n + l.size, 0);
    return {
      id: image.id,
      repoTags: repoTags.sort(),
      repoDigests: repoDigests.sort(),
      size,
      manifestDigest: image.manifestDigest,
      layers: image.layers.map((l) => ({ ...l })),
      diffIds: [...image.diffIds],
      config: structuredClone(image.config),
    };
  }
}

function sortKey(i: CachedImage): string {
  return i.repoTags[0] ?? i.repoDigests[0] ?? i.id;
}

function verify(bytes: Uint8Array, desc: Descriptor, what: string): void {
  if (bytes.byteLength !== desc.size) {
    throw new ImageStoreError(`${what} ${desc.digest}: size ${bytes.byteLength} does not match the descriptor's ${desc.size}`);
  }
  const actual = digestOf(bytes, desc.digest);
  if (actual !== desc.digest) throw new ImageStoreError(`${what}: digest ${actual} does not match the descriptor's ${desc.digest}`);
}
