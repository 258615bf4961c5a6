// What the CLI needs from the kind backend, in one place.
export { createKindBackend, type KindBackend, type KindBackendOptions } from './backend.js';
export { planKindLab, renderKindPlan, type KindPlan, type KindPlanOptions } from './plan.js';
export { kindPreflight, type KindPreflightOptions } from './preflight.js';
export { removeLabResources } from './cleanup.js';
