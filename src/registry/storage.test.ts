import { afterEach, describe, expect, it } from 'vitest';
import { sha256Digest } from './digest.js';
import { RegistryError } from './errors.js';
import { RegistryStorage } from './storage.js';

const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (error) {
    return error instanceof RegistryError ? `${error.code} ${error.status}` : String(error);
  }
  return undefined;
};

describe('RegistryStorage limits', () => {
  let storage: RegistryStorage | undefined;
  afterEach(() => storage?.close());

  it('caps bytes held by unfinished uploads across sessions, and releases them on cancel and expiry', () => {
    storage = new RegistryStorage({ maxUploadBytesInFlight: 100, maxBlobBytes: 80, uploadSessionTtlMs: 1000 });
    const a = storage.startUpload('r/a');
    const b = storage.startUpload('r/b');
    storage.appendUpload(a, Buffer.alloc(60));
    expect(storage.uploadBytes).toBe(60);
    expect(codeOf(() => storage!.appendUpload(b, Buffer.alloc(50)))).toBe('TOOMANYREQUESTS 429');
    expect(codeOf(() => storage!.appendUpload(a, Buffer.alloc(30)))).toBe('SIZE_INVALID 413');
    expect(storage.uploadBytes).toBe(0);
    expect(storage.uploadCount).toBe(0);
    const c = storage.startUpload('r/c');
    storage.appendUpload(c, Buffer.alloc(40));
    storage.expireUploads(Date.now() + 2000);
    expect(storage.uploadBytes).toBe(0);
    expect(codeOf(() => storage!.getUpload('r/c', c.id))).toBe('BLOB_UPLOAD_UNKNOWN 404');
  });

  it('refuses new content once the store is full, and verifies digests on finish', async () => {
    storage = new RegistryStorage({ maxStoredBytes: 10 });
    const s = storage.startUpload('r/a');
    storage.appendUpload(s, Buffer.from('0123456789'));
    await expect(storage.finishUpload(s, sha256Digest(Buffer.from('other')))).rejects.toMatchObject({ code: 'DIGEST_INVALID' });
    const t = storage.startUpload('r/a');
    storage.appendUpload(t, Buffer.from('0123456789'));
    await storage.finishUpload(t, sha256Digest(Buffer.from('0123456789')));
    await expect(storage.putBlob('r/a', sha256Digest(Buffer.from('x')), Buffer.from('x'))).rejects.toMatchObject({ code: 'SIZE_INVALID', status: 413 });
    expect(storage.hasBlob('r/a', sha256Digest(Buffer.from('0123456789')))).toBe(true);
    expect(storage.hasBlob('r/b', sha256Digest(Buffer.from('0123456789')))).toBe(false);
  });

  it('limits concurrent sessions', () => {
    storage = new RegistryStorage({ maxUploadSessions: 2 });
    storage.startUpload('r/a');
    storage.startUpload('r/a');
    expect(codeOf(() => storage!.startUpload('r/a'))).toBe('TOOMANYREQUESTS 429');
  });
});
