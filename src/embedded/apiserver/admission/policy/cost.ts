// CEL runtime cost: the limits (k8s.io/apiserver pkg/apis/cel/config.go) and a meter that compiled programs charge as
// they run. The unit follows cel-go's actual-cost model (interpreter/runtimecost.go): 1 per identifier, field
// selection and function call, 10/30/40 to build a list/map/object, string functions by length (charged by the
// library functions themselves). It is an approximation of cel-go's figure, close enough to stop runaway expressions
// at the same order of magnitude; docs/admission-policies.md says so.

/** PerCallLimit: the cost one expression evaluation may reach ("roughly 0.1 second"). */
export const PER_CALL_LIMIT = 1_000_000;
/** RuntimeCELCostBudget: the cost of one policy × binding × param evaluation ("roughly 1 second"). */
export const RUNTIME_CEL_COST_BUDGET = 10_000_000;
/** RuntimeCELCostBudgetMatchConditions. */
export const RUNTIME_CEL_COST_BUDGET_MATCH_CONDITIONS = 2_500_000;
/** MaxEvaluatedMessageExpressionSizeBytes. */
export const MAX_EVALUATED_MESSAGE_EXPRESSION_SIZE_BYTES = 5 * 1024;

/** cel-go's error when a program's cost limit is reached (interpreter.EvalCancelledError, CostLimitExceeded). */
export const COST_LIMIT_EXCEEDED = 'operation cancelled: actual cost limit exceeded';
/** activation.go / composition.go: the budget of the whole evaluation is spent. */
export const OUT_OF_BUDGET = 'validation failed due to running out of cost budget, no further validation rules will be run';

export const LIST_CREATE_COST = 10;
export const MAP_CREATE_COST = 30;
export const STRUCT_CREATE_COST = 40;

export class CostLimitExceeded extends Error {
  constructor() {
    super(COST_LIMIT_EXCEEDED);
  }
}

/** Counts the cost of one expression evaluation and stops it (by throwing) past its limit. */
export class CostMeter {
  used = 0;
  exceeded = false;
  constructor(readonly limit: number = PER_CALL_LIMIT) {}

  charge(n: number): void {
    this.used += n;
    if (this.used > this.limit) {
      this.exceeded = true;
      throw new CostLimitExceeded();
    }
  }
}

/**
 * The meter of the evaluation running now. CEL evaluation is synchronous, so one module-level slot is enough;
 * nested evaluations (lazy variables) save and restore it.
 */
let current: CostMeter | undefined;

export function withMeter<T>(meter: CostMeter, run: () => T): T {
  const saved = current;
  current = meter;
  try {
    return run();
  } finally {
    current = saved;
  }
}

/** Charge the running evaluation (no-op outside one). */
export function charge(n: number): void {
  current?.charge(n);
}
