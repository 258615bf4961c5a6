// Digests as the OCI image-spec defines them (descriptor.md "Digests"); the lab stores only sha256.
import { createHash } from 'node:crypto';

export type Digest = `sha256:${string}`;

const digestRe = /^sha256:[a-f0-9]{64}$/;

export function isDigest(value: unknown): value is Digest {
  return typeof value === 'string' && digestRe.test(value);
}

/** Any well-formed digest string (algorithm:encoded), even one we cannot compute (sha512). */
export function looksLikeDigest(value: string): boolean {
  return /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/.test(value);
}

export function sha256Digest(data: Uint8Array): Digest {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}
