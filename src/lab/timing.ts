// How long pods may take to settle on a backend: each LabBackend carries its own (the engine only reads it).

/** How long to wait for a pod to settle, and how often to look: seconds on the embedded backend, minutes on kind. */
export interface Timing {
  settleTimeoutMs: number;
  pollMs: number;
  /** After a container started, how long its logs may take to show the flag. */
  flagGraceMs: number;
  /** After a policy was applied: how long the API server may take to enforce it (kube-apiserver reads policies from an informer). */
  policySettleMs: number;
}

export const EMBEDDED_TIMING: Timing = { settleTimeoutMs: 20_000, pollMs: 25, flagGraceMs: 2_000, policySettleMs: 0 };
export const KIND_TIMING: Timing = { settleTimeoutMs: 180_000, pollMs: 500, flagGraceMs: 15_000, policySettleMs: 3_000 };
