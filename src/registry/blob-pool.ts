// One copy of each blob's bytes per process, for registries that hold the same content (a workshop's labs push
// the same base layers and public image). Only the bytes are shared: which repository links a blob, and who may
// read it, stays each registry's own (storage.ts). A blob enters the pool only once its bytes hash to its digest,
// so no registry can place other bytes under a digest another one serves; it leaves when no registry holds it.
import { sha256Digest, type Digest } from './digest.js';

export class BlobPool {
  private readonly held = new Map<Digest, WeakRef<Buffer>>();
  private readonly forget = new FinalizationRegistry<Digest>((digest) => {
    if (this.held.get(digest)?.deref() === undefined) this.held.delete(digest);
  });

  /** The pooled bytes for `digest` when held, else `data` itself, pooled from now on if it hashes to `digest`. */
  intern(digest: Digest, data: Buffer): Buffer {
    const pooled = this.held.get(digest)?.deref();
    if (pooled) return pooled;
    if (sha256Digest(data) !== digest) return data;
    this.held.set(digest, new WeakRef(data));
    this.forget.register(data, digest);
    return data;
  }

  /** Distinct blobs held (for tests and the bench). */
  get size(): number {
    return this.held.size;
  }
}
