import { describe, expect, it } from 'vitest';
import { backOffMessage, containerErrorEvent, evalCRIPullErr, failedToRetrievePullSecretsEvent, formatGoDuration, pulledImageEvent } from './kubelet-events.js';

describe('Go duration formatting (time.Duration.String)', () => {
  it.each([
    [0, '0s'],
    [999, '999ns'],
    [1_500, '1.5µs'],
    [1_000_000, '1ms'],
    [850_000_000, '850ms'],
    [1_000_000_000, '1s'],
    [1_234_000_000, '1.234s'],
    [60_000_000_000, '1m0s'],
    [123_004_000_000, '2m3.004s'],
    [3_600_000_000_000, '1h0m0s'],
    [-1_500_000_000, '-1.5s'],
  ])('%d ns → %s', (ns, s) => expect(formatGoDuration(ns)).toBe(s));
});

describe('kubelet event messages', () => {
  it('Pulled after a pull', () => {
    expect(pulledImageEvent('busybox', 1234.9, 61_500, 4_276_318)).toEqual({
      type: 'Normal',
      reason: 'Pulled',
      message: 'Successfully pulled image "busybox" in 1.234s (1m1.5s including waiting). Image size: 4276318 bytes.',
    });
  });

  it('back-off message with the previous error', () => {
    expect(backOffMessage('typo_image', 'ErrImagePull: 404')).toBe('Back-off pulling image "typo_image": ErrImagePull: 404');
    expect(backOffMessage('typo_image')).toBe('Back-off pulling image "typo_image"');
  });

  it('evalCRIPullErr keeps runtime error names and their detail', () => {
    expect(evalCRIPullErr('img', 'RegistryUnavailable: dial tcp: refused')).toEqual({
      reason: 'RegistryUnavailable',
      message: 'image pull failed for img because the registry is unavailable: dial tcp: refused',
    });
    expect(evalCRIPullErr('img', 'unauthorized: authentication required')).toEqual({
      reason: 'ErrImagePull',
      message: 'unauthorized: authentication required',
    });
  });

  it('pod and container events', () => {
    expect(failedToRetrievePullSecretsEvent(['a', 'b'])).toEqual({
      type: 'Warning',
      reason: 'FailedToRetrieveImagePullSecret',
      message: 'Unable to retrieve some image pull secrets (a, b); attempting to pull the image may not succeed.',
    });
    expect(containerErrorEvent('ErrImagePull')).toEqual({ type: 'Warning', reason: 'Failed', message: 'Error: ErrImagePull' });
  });
});
