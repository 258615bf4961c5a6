// Content-addressed storage: blobs once per digest, linked into the repositories that may serve them
// (as distribution links layers per repository, so a blob pushed to secure/* is not readable through public/*).
import { createHash, randomUUID, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import path from 'node:path';
import type { BlobPool } from './blob-pool.js';
import type { Digest } from './digest.js';
import { RegistryError } from './errors.js';
import type { ManifestMediaType } from './media-types.js';

export interface StorageLimits {
  /** Largest blob one upload may carry. */
  maxBlobBytes: number;
  /** Largest manifest body (distribution's default is 4 MiB). */
  maxManifestBytes: number;
  /** Upload sessions open at once. */
  maxUploadSessions: number;
  /** An upload session untouched this long is dropped. */
  uploadSessionTtlMs: number;
  /** All blob and manifest bytes held, so a client cannot fill the memory. */
  maxStoredBytes: number;
  /** Bytes held by unfinished uploads, all sessions together. */
  maxUploadBytesInFlight: number;
}

export const defaultLimits: StorageLimits = {
  maxBlobBytes: 512 * 1024 * 1024,
  maxManifestBytes: 4 * 1024 * 1024,
  maxUploadSessions: 64,
  uploadSessionTtlMs: 5 * 60 * 1000,
  maxStoredBytes: 2 * 1024 * 1024 * 1024,
  maxUploadBytesInFlight: 1024 * 1024 * 1024,
};

export interface StoredManifest {
  digest: Digest;
  mediaType: ManifestMediaType;
  body: Buffer;
  subject?: Digest;
}

interface Repository {
  tags: Map<string, Digest>;
  manifests: Map<Digest, StoredManifest>;
  blobs: Set<Digest>;
}

export interface UploadSession {
  readonly id: string;
  readonly repository: string;
  size: number;
  touched: number;
  chunks: Buffer[];
  hash: Hash;
}

export class RegistryStorage {
  readonly limits: StorageLimits;
  private readonly blobs = new Map<Digest, Buffer | { size: number }>();
  private readonly repositories = new Map<string, Repository>();
  private readonly uploads = new Map<string, UploadSession>();
  private storedBytes = 0;
  private inFlightBytes = 0;
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    limits: Partial<StorageLimits> = {},
    /** When set, blob bytes live in DIR/blobs/sha256/<hex> instead of memory. */
    private readonly dir?: string,
    /** Bytes in memory shared with the other registries of this process that use the same pool (a workshop's labs). */
    private readonly pool?: BlobPool,
  ) {
    this.limits = { ...defaultLimits, ...limits };
    const every = Math.max(50, Math.min(60_000, Math.floor(this.limits.uploadSessionTtlMs / 2)));
    this.sweeper = setInterval(() => this.expireUploads(), every);
    this.sweeper.unref(); // an idle registry must never keep the process alive
  }

  close(): void {
    clearInterval(this.sweeper);
    for (const s of [...this.uploads.values()]) this.dropUpload(s);
  }

  // --- blobs

  hasBlob(repository: string, digest: Digest): boolean {
    return this.repositories.get(repository)?.blobs.has(digest) === true && this.blobs.has(digest);
  }

  blobSize(digest: Digest): number | undefined {
    const b = this.blobs.get(digest);
    return b === undefined ? undefined : Buffer.isBuffer(b) ? b.length : b.size;
  }

  async readBlob(digest: Digest): Promise<Buffer> {
    const b = this.blobs.get(digest);
    if (b === undefined) throw new RegistryError('BLOB_UNKNOWN', { digest });
    if (Buffer.isBuffer(b)) return b;
    return readFile(this.blobPath(digest));
  }

  /** Bytes start..end (inclusive) of a blob: a slice from memory, or a file stream so big blobs never sit in memory. */
  openBlob(digest: Digest, start: number, end: number): Buffer | Readable {
    const b = this.blobs.get(digest);
    if (b === undefined) throw new RegistryError('BLOB_UNKNOWN', { digest });
    if (Buffer.isBuffer(b)) return b.subarray(start, end + 1);
    return createReadStream(this.blobPath(digest), { start, end });
  }

  private blobPath(digest: Digest): string {
    return path.join(this.dir ?? '.', 'blobs', 'sha256', digest.slice('sha256:'.length));
  }

  async putBlob(repository: string, digest: Digest, data: Buffer): Promise<void> {
    if (!this.blobs.has(digest)) {
      if (this.storedBytes + data.length > this.limits.maxStoredBytes) {
        throw new RegistryError('SIZE_INVALID', { limit: this.limits.maxStoredBytes }, { message: 'registry storage is full', status: 413 });
      }
      if (this.dir) {
        const file = this.blobPath(digest);
        await mkdir(path.dirname(file), { recursive: true });
        await writeFile(`${file}.tmp`, data);
        await rename(`${file}.tmp`, file);
        this.blobs.set(digest, { size: data.length });
      } else {
        this.blobs.set(digest, this.pool ? this.pool.intern(digest, data) : data);
      }
      this.storedBytes += data.length;
    }
    this.repository(repository).blobs.add(digest);
  }

  /** Cross-repository mount: link a blob the caller may read elsewhere. */
  mountBlob(repository: string, from: string, digest: Digest): boolean {
    if (!this.hasBlob(from, digest)) return false;
    this.repository(repository).blobs.add(digest);
    return true;
  }

  unlinkBlob(repository: string, digest: Digest): boolean {
    return this.repositories.get(repository)?.blobs.delete(digest) === true;
  }

  // --- manifests and tags

  private repository(name: string): Repository {
    let repo = this.repositories.get(name);
    if (!repo) {
      repo = { tags: new Map(), manifests: new Map(), blobs: new Set() };
      this.repositories.set(name, repo);
    }
    return repo;
  }

  getManifest(repository: string, reference: string): StoredManifest | undefined {
    const repo = this.repositories.get(repository);
    if (!repo) return undefined;
    const digest = reference.includes(':') ? (reference as Digest) : repo.tags.get(reference);
    return digest === undefined ? undefined : repo.manifests.get(digest);
  }

  hasManifest(repository: string, digest: Digest): boolean {
    return this.repositories.get(repository)?.manifests.has(digest) === true;
  }

  putManifest(repository: string, manifest: StoredManifest, tag?: string): void {
    const repo = this.repository(repository);
    if (!repo.manifests.has(manifest.digest)) {
      if (this.storedBytes + manifest.body.length > this.limits.maxStoredBytes) {
        throw new RegistryError('SIZE_INVALID', { limit: this.limits.maxStoredBytes }, { message: 'registry storage is full', status: 413 });
      }
      this.storedBytes += manifest.body.length;
    }
    repo.manifests.set(manifest.digest, manifest);
    if (tag !== undefined) repo.tags.set(tag, manifest.digest);
  }

  /** Deleting by tag removes the tag; by digest, the manifest and every tag naming it (spec "Deleting Manifests"). */
  deleteManifest(repository: string, reference: string): boolean {
    const repo = this.repositories.get(repository);
    if (!repo) return false;
    if (!reference.includes(':')) return repo.tags.delete(reference);
    const digest = reference as Digest;
    const stored = repo.manifests.get(digest);
    if (!stored) return false;
    repo.manifests.delete(digest);
    this.storedBytes -= stored.body.length;
    for (const [tag, d] of repo.tags) if (d === digest) repo.tags.delete(tag);
    return true;
  }

  /** Tags of a repository that has ever held something, sorted (spec "Listing Tags"). */
  tags(repository: string): string[] | undefined {
    const repo = this.repositories.get(repository);
    if (!repo || (repo.manifests.size === 0 && repo.tags.size === 0)) return undefined;
    return [...repo.tags.keys()].sort();
  }

  /** Manifests whose subject is the given digest (OCI 1.1 referrers). */
  referrers(repository: string, digest: Digest): StoredManifest[] {
    const repo = this.repositories.get(repository);
    return repo ? [...repo.manifests.values()].filter((m) => m.subject === digest) : [];
  }

  catalog(): string[] {
    return [...this.repositories.entries()]
      .filter(([, r]) => r.manifests.size > 0)
      .map(([name]) => name)
      .sort();
  }

  // --- uploads

  startUpload(repository: string): UploadSession {
    this.expireUploads();
    if (this.uploads.size >= this.limits.maxUploadSessions) {
      throw new RegistryError('TOOMANYREQUESTS', { limit: this.limits.maxUploadSessions }, { message: 'too many upload sessions in progress' });
    }
    const session: UploadSession = { id: randomUUID(), repository, size: 0, touched: Date.now(), chunks: [], hash: createHash('sha256') };
    this.uploads.set(session.id, session);
    return session;
  }

  getUpload(repository: string, id: string): UploadSession {
    const s = this.uploads.get(id);
    if (!s || s.repository !== repository) throw new RegistryError('BLOB_UPLOAD_UNKNOWN', { id: id.slice(0, 64) });
    if (Date.now() - s.touched > this.limits.uploadSessionTtlMs) {
      this.dropUpload(s);
      throw new RegistryError('BLOB_UPLOAD_UNKNOWN', { id, reason: 'expired' });
    }
    return s;
  }

  /** Appends bytes, keeping the hash streaming so finishing needs no second pass. */
  appendUpload(session: UploadSession, chunk: Buffer): void {
    if (!this.uploads.has(session.id)) throw new RegistryError('BLOB_UPLOAD_UNKNOWN', { id: session.id });
    if (session.size + chunk.length > this.limits.maxBlobBytes) {
      this.dropUpload(session);
      throw new RegistryError(
        'SIZE_INVALID',
        { limit: this.limits.maxBlobBytes },
        { message: `blob exceeds the registry's limit of ${this.limits.maxBlobBytes} bytes`, status: 413 },
      );
    }
    if (this.inFlightBytes + chunk.length > this.limits.maxUploadBytesInFlight) {
      this.dropUpload(session);
      throw new RegistryError('TOOMANYREQUESTS', { limit: this.limits.maxUploadBytesInFlight }, { message: 'too many bytes in unfinished uploads; retry later' });
    }
    session.hash.update(chunk);
    session.chunks.push(chunk);
    session.size += chunk.length;
    this.inFlightBytes += chunk.length;
    session.touched = Date.now();
  }

  /** Forgets a session and releases its bytes. */
  private dropUpload(session: UploadSession): void {
    if (this.uploads.delete(session.id)) this.inFlightBytes -= session.size;
    session.chunks = [];
  }

  /** Ends the session: the content must hash to `expected` (spec "Completing an upload"). */
  async finishUpload(session: UploadSession, expected: Digest): Promise<void> {
    const chunks = session.chunks;
    this.dropUpload(session);
    const actual = `sha256:${session.hash.digest('hex')}`;
    if (actual !== expected) throw new RegistryError('DIGEST_INVALID', { expected, actual });
    const data = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, session.size);
    await this.putBlob(session.repository, expected, data);
  }

  cancelUpload(session: UploadSession): void {
    this.dropUpload(session);
  }

  get uploadCount(): number {
    return this.uploads.size;
  }

  /** Bytes held by unfinished uploads. */
  get uploadBytes(): number {
    return this.inFlightBytes;
  }

  expireUploads(now = Date.now()): void {
    for (const s of [...this.uploads.values()]) if (now - s.touched > this.limits.uploadSessionTtlMs) this.dropUpload(s);
  }
}
