// Media types of OCI image-spec (specs-go/v1/mediatype.go) and Docker's schema2 (distribution manifest/schema2, manifestlist).

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
export const OCI_LAYER_GZIP = 'application/vnd.oci.image.layer.v1.tar+gzip';
export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
export const DOCKER_MANIFEST_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';

export const manifestMediaTypes = [OCI_MANIFEST, OCI_INDEX, DOCKER_MANIFEST, DOCKER_MANIFEST_LIST] as const;
export type ManifestMediaType = (typeof manifestMediaTypes)[number];

export function isManifestMediaType(value: unknown): value is ManifestMediaType {
  return typeof value === 'string' && (manifestMediaTypes as readonly string[]).includes(value);
}

/** Image manifests list a config and layers; indexes and manifest lists list other manifests. */
export function isIndexMediaType(mediaType: ManifestMediaType): boolean {
  return mediaType === OCI_INDEX || mediaType === DOCKER_MANIFEST_LIST;
}

/** The Accept header a client sends to get any manifest kind we understand. */
export const manifestAccept = manifestMediaTypes.join(', ');
