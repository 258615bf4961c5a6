// Validation of pushed manifests (OCI image-spec manifest.md, image-index.md; Docker schema2 and manifest list).
import { isDigest, type Digest } from './digest.js';
import { RegistryError } from './errors.js';
import { DOCKER_MANIFEST, DOCKER_MANIFEST_LIST, isIndexMediaType, isManifestMediaType, OCI_INDEX, OCI_MANIFEST } from './media-types.js';

export interface Descriptor {
  mediaType: string;
  digest: Digest;
  size: number;
  urls?: string[];
  platform?: { architecture: string; os: string; variant?: string };
  annotations?: Record<string, string>;
}

export interface ImageManifest {
  schemaVersion: 2;
  mediaType?: string;
  config: Descriptor;
  layers: Descriptor[];
  subject?: Descriptor;
  annotations?: Record<string, string>;
}

export interface ImageIndex {
  schemaVersion: 2;
  mediaType?: string;
  manifests: Descriptor[];
  subject?: Descriptor;
  annotations?: Record<string, string>;
}

export type ParsedManifest =
  | { mediaType: 'application/vnd.oci.image.manifest.v1+json' | 'application/vnd.docker.distribution.manifest.v2+json'; manifest: ImageManifest }
  | { mediaType: 'application/vnd.oci.image.index.v1+json' | 'application/vnd.docker.distribution.manifest.list.v2+json'; manifest: ImageIndex };

function invalid(message: string): RegistryError {
  return new RegistryError('MANIFEST_INVALID', { reason: message }, { message: `manifest invalid: ${message}` });
}

function descriptor(value: unknown, where: string): Descriptor {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid(`${where} is not an object`);
  const d = value as Record<string, unknown>;
  if (typeof d.mediaType !== 'string' || d.mediaType === '') throw invalid(`${where}.mediaType is missing`);
  if (!isDigest(d.digest)) throw invalid(`${where}.digest is not a sha256 digest`);
  if (typeof d.size !== 'number' || !Number.isSafeInteger(d.size) || d.size < 0) throw invalid(`${where}.size is not a size`);
  return d as unknown as Descriptor;
}

/**
 * Parses and checks a manifest body. The media type comes from Content-Type, else from the body's
 * own mediaType; when both exist they must agree (image-spec manifest.md "mediaType").
 */
export function parseManifest(body: Buffer, contentType: string | undefined): ParsedManifest {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    throw invalid('not JSON');
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw invalid('not a JSON object');
  const m = json as Record<string, unknown>;
  const header = contentType?.split(';')[0]?.trim();
  const declared = typeof m.mediaType === 'string' ? m.mediaType : undefined;
  const mediaType = header && header !== 'application/json' && header !== 'application/octet-stream' ? header : declared;
  if (!isManifestMediaType(mediaType)) {
    throw invalid(`unsupported media type ${JSON.stringify(mediaType ?? '')}`);
  }
  if (declared !== undefined && declared !== mediaType) throw invalid(`mediaType ${declared} does not match Content-Type ${mediaType}`);
  if (m.schemaVersion !== 2) throw invalid('schemaVersion must be 2');
  if ((mediaType === DOCKER_MANIFEST || mediaType === DOCKER_MANIFEST_LIST) && declared !== mediaType) {
    throw invalid('Docker schema2 manifests must carry their mediaType');
  }
  if (m.subject !== undefined) descriptor(m.subject, 'subject');
  if (isIndexMediaType(mediaType)) {
    if (!Array.isArray(m.manifests)) throw invalid('manifests must be an array');
    m.manifests.forEach((d, i) => descriptor(d, `manifests[${i}]`));
    return { mediaType: mediaType as typeof OCI_INDEX, manifest: m as unknown as ImageIndex };
  }
  descriptor(m.config, 'config');
  if (!Array.isArray(m.layers)) throw invalid('layers must be an array');
  m.layers.forEach((d, i) => descriptor(d, `layers[${i}]`));
  return { mediaType: mediaType as typeof OCI_MANIFEST, manifest: m as unknown as ImageManifest };
}

/** Digests a registry must already hold before it accepts the manifest (blobs, or child manifests). */
export function referencedDigests(parsed: ParsedManifest): { blobs: Digest[]; manifests: Digest[] } {
  if (parsed.mediaType === OCI_INDEX || parsed.mediaType === DOCKER_MANIFEST_LIST) {
    return { blobs: [], manifests: parsed.manifest.manifests.map((d) => d.digest) };
  }
  const m = parsed.manifest as ImageManifest;
  // Foreign layers (with urls) live elsewhere by design (image-spec descriptor.md "urls").
  const layers = m.layers.filter((l) => !l.urls || l.urls.length === 0).map((l) => l.digest);
  return { blobs: [m.config.digest, ...layers], manifests: [] };
}
