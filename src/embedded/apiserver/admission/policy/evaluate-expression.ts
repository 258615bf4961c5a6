// Evaluates one compiled expression against an activation within the remaining cost budget, with upstream's error
// texts (k8s.io/apiserver pkg/admission/plugin/cel/activation.go Evaluate) and the matchConditions rule
// (pkg/admission/plugin/webhook/matchconditions/matcher.go Match).
import { aggregate } from '../../../../k8s/api-errors.js';
import type { Activation } from './activation.js';
import { withAuthorizer } from './cel-authz.js';
import type { NamedExpression } from './compile-policy.js';
import type { CompiledExpression } from './cel-compiler.js';
import { OUT_OF_BUDGET, PER_CALL_LIMIT, RUNTIME_CEL_COST_BUDGET_MATCH_CONDITIONS } from './cost.js';
import type { FailurePolicyType } from './types.js';

/** The result of one expression: its value, or the error its policy's failurePolicy decides on. */
export type ExpressionResult = { value: unknown } | { error: string };

/** The budget of a whole evaluation ran out: upstream stops evaluating and reports this as the error. */
export class OutOfBudget extends Error {
  constructor() {
    super(OUT_OF_BUDGET);
  }
}

/** A running cost budget shared by the expressions of one policy × binding × param evaluation. */
export class Budget {
  constructor(public remaining: number) {}
}

/** activation.Evaluate: throws OutOfBudget when the budget is spent. */
export function evaluateExpression(compiled: CompiledExpression, activation: Activation, budget: Budget): ExpressionResult {
  if (compiled.error !== undefined) return { error: `compilation error: ${compiled.error}` };
  const outcome = withAuthorizer(activation.authorize, () => compiled.evaluate(activation.bindings, PER_CALL_LIMIT));
  // Lazily evaluated variables are charged to the expression that read them first.
  const variableCost = activation.takeVariableCost();
  if (variableCost > budget.remaining) throw new OutOfBudget();
  budget.remaining -= variableCost;
  if (outcome.cost > budget.remaining) throw new OutOfBudget();
  budget.remaining -= outcome.cost;
  if (!outcome.ok) return { error: `expression '${compiled.expression}' resulted in error: ${outcome.error}` };
  return { value: outcome.value };
}

export type MatchConditionsResult = { matches: true } | { matches: false; failedCondition?: string } | { error: string };

/**
 * matchconditions.Match: the first condition that is false skips the policy; errors (collected, aggregated) fail
 * the request under failurePolicy Fail and skip the policy under Ignore.
 */
/** `activation` is built only when there are conditions to evaluate. */
export function evaluateMatchConditions(conditions: readonly NamedExpression[], makeActivation: () => Activation, failurePolicy: FailurePolicyType): MatchConditionsResult {
  if (conditions.length === 0) return { matches: true };
  const activation = makeActivation();
  const budget = new Budget(RUNTIME_CEL_COST_BUDGET_MATCH_CONDITIONS);
  const errors: Error[] = [];
  for (const c of conditions) {
    let result: ExpressionResult;
    try {
      result = evaluateExpression(c.compiled, activation, budget);
    } catch (error) {
      if (!(error instanceof OutOfBudget)) throw error;
      return failurePolicy === 'Fail' ? { error: error.message } : { matches: false };
    }
    if ('error' in result) errors.push(new Error(result.error));
    else if (result.value === false) return { matches: false, failedCondition: c.name };
  }
  const agg = aggregate(errors);
  if (agg) return failurePolicy === 'Fail' ? { error: agg.message } : { matches: false };
  return { matches: true };
}
