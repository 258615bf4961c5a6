import { describe, expect, it } from 'vitest';
import { checkExpectation, describeFailedChecks } from './expectations.js';

describe('checkExpectation', () => {
  it('checks only the fields given', () => {
    expect(checkExpectation({}, { pod: 'Running' })).toEqual([]);
    expect(checkExpectation({ pod: 'Running' }, { pod: 'Running', flag: 'seen' })).toEqual([{ field: 'pod', expected: 'Running', observed: 'Running', passed: true }]);
  });

  it('accepts any of several pod states', () => {
    const [check] = checkExpectation({ pod: ['ErrImagePull', 'ImagePullBackOff'] }, { pod: 'ImagePullBackOff' });
    expect(check!.passed).toBe(true);
    const [miss] = checkExpectation({ pod: ['ErrImagePull', 'ImagePullBackOff'] }, { pod: 'Running' });
    expect(miss!.passed).toBe(false);
  });

  it('matches events by reason and message substring', () => {
    const observed = { events: [{ type: 'Warning', reason: 'Failed', message: 'Failed to pull image "x": 401 Unauthorized' }] };
    expect(checkExpectation({ events: [{ reason: 'Failed', message: '401' }] }, observed)[0]!.passed).toBe(true);
    expect(checkExpectation({ events: [{ reason: 'Failed', message: '403' }] }, observed)[0]!.passed).toBe(false);
    expect(checkExpectation({ events: [{ reason: 'Pulled' }] }, observed)[0]!.passed).toBe(false);
  });

  it('treats a missing observation as a failure, not a pass', () => {
    const checks = checkExpectation({ admission: 'allowed', pullPolicy: 'Always', flag: 'not-seen', admissionMessage: 'forbidden' }, {});
    expect(checks.map((c) => c.passed)).toEqual([false, false, false, false]);
  });

  it('says what was expected and what was observed', () => {
    const checks = checkExpectation({ pod: ['ErrImagePull', 'ImagePullBackOff'], flag: 'not-seen' }, { pod: 'Running', flag: 'seen' });
    expect(describeFailedChecks(checks)).toEqual(['pod: expected ErrImagePull or ImagePullBackOff, observed Running', 'flag: expected not-seen, observed seen']);
  });
});
