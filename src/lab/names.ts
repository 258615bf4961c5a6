// The lab's names, the same on every backend; no imports, so the CLI can show them without loading a client.
import type { LabUser } from './backend.js';

export const TENANT_A = 'tenant-a';
export const TENANT_B = 'tenant-b';
export const PULL_SECRET_NAME = 'image-pull-secret-1';
export const LAB_USERS: readonly LabUser[] = ['admin', 'admin1', 'admin2'];
/** Where a backend keeps the lab's own identities (kind: the ServiceAccounts behind admin, admin1, admin2); reset leaves it alone. */
export const LAB_NAMESPACE = 'image-heist-system';

/** The lab's images by repository and tag, in every backend's registry. */
export const SECRET_REPOSITORY = 'secure/super-secret-image';
export const PUBLIC_REPOSITORY = 'public/hello';
export const IMAGE_TAG = '1';
