// metav1.LabelSelector: matching (apimachinery pkg/apis/meta/v1/helpers.go LabelSelectorAsSelector) and the structural
// its validation (apimachinery pkg/apis/meta/v1/validation/validation.go ValidateLabelSelector, strict values).
import { FieldError, fieldForbidden, fieldInvalid, fieldRequired } from '../../../../k8s/api-errors.js';
import { isQualifiedName, isValidLabelValue, validateLabels } from '../../validation.js';
import type { LabelSelector } from './types.js';

/** An empty selector ({}) matches everything; a nil selector is never passed here (defaulting sets {}). */
export function labelSelectorMatches(selector: LabelSelector | undefined, labels: Record<string, string> | undefined): boolean {
  const set = labels ?? {};
  const has = (k: string): boolean => Object.prototype.hasOwnProperty.call(set, k);
  for (const [k, v] of Object.entries(selector?.matchLabels ?? {})) if (!has(k) || set[k] !== v) return false;
  for (const r of selector?.matchExpressions ?? []) {
    const values = r.values ?? [];
    switch (r.operator) {
      case 'In':
        if (!has(r.key) || !values.includes(set[r.key]!)) return false;
        break;
      case 'NotIn':
        if (has(r.key) && values.includes(set[r.key]!)) return false;
        break;
      case 'Exists':
        if (!has(r.key)) return false;
        break;
      case 'DoesNotExist':
        if (has(r.key)) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

export function isEmptySelector(selector: LabelSelector | undefined): boolean {
  return Object.keys(selector?.matchLabels ?? {}).length === 0 && (selector?.matchExpressions ?? []).length === 0;
}

/** ValidateLabelSelector with LabelSelectorValidationOptions{} (label values checked strictly). */
export function validateLabelSelector(selector: LabelSelector, path: string): FieldError[] {
  const errs: FieldError[] = [];
  (selector.matchExpressions ?? []).forEach((r, i) => {
    const p = `${path}.matchExpressions[${i}]`;
    const values = r.values ?? [];
    if (r.operator === 'In' || r.operator === 'NotIn') {
      if (values.length === 0) errs.push(fieldRequired(`${p}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
    } else if (r.operator === 'Exists' || r.operator === 'DoesNotExist') {
      if (values.length > 0) errs.push(fieldForbidden(`${p}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
    } else {
      errs.push(fieldInvalid(`${p}.operator`, r.operator, 'not a valid selector operator'));
    }
    for (const msg of isQualifiedName(r.key ?? '')) errs.push(fieldInvalid(`${p}.key`, r.key ?? '', msg));
    values.forEach((v, j) => {
      for (const msg of isValidLabelValue(v)) errs.push(fieldInvalid(`${p}.values[${j}]`, v, msg));
    });
  });
  errs.push(...validateLabels(selector.matchLabels ?? {}, `${path}.matchLabels`));
  return errs;
}
