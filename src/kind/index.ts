// What the CLI needs from the kind backend, in one place.
export { createKindBackend } from './backend.js';
export { kindPreflight } from './preflight.js';
