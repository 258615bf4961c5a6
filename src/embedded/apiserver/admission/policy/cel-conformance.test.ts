// cel-spec's conformance tests (as @bufbuild/cel-spec ships them) through the policy compiler. Sections left out,
// and why, are listed in docs/admission-policies.md: two-variable comprehensions (macros2) and the math extension
// are not in @bufbuild/cel 0.6.1; dynamic/wrappers/proto* need protobuf messages.
import { describe, expect, it } from 'vitest';
import { conformanceCases, runConformanceCase } from './cel-conformance.js';

const SECTIONS = ['basic', 'comparisons', 'conversions', 'fields', 'fp_math', 'integer_math', 'lists', 'logic', 'macros', 'parse', 'plumbing', 'string', 'string_ext'];
// cel-go's checker rejects an undeclared identifier at compile time, as the policy compiler does; the
// conformance file expects the unchecked runtime error.
// @bufbuild/cel 0.6.1 accepts {0: 1, 0u: 2} (cel-go: "Failed with repeated key"); no policy builds such a map.
const EXPECTED_DIFFERENT = new Set(['basic/unbound_is_runtime_error', 'fields/map_value_repeat_key_heterogeneous']);

describe('CEL conformance (cel-spec simple tests) through the policy compiler', () => {
  for (const section of SECTIONS) {
    it(section, () => {
      const cases = conformanceCases([section]);
      expect(cases.length).toBeGreaterThan(0);
      const failed = cases.filter((c) => !EXPECTED_DIFFERENT.has(`${section}/${c.name}`) && !runConformanceCase(c)).map((c) => `${c.name}: ${c.expr}`);
      expect(failed).toEqual([]);
    });
  }
});
