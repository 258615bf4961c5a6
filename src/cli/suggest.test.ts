import { describe, expect, it } from 'vitest';
import { closest, editDistance } from './suggest.js';
import { PROFILE_NAMES } from '../lab/profiles.js';

describe('did you mean', () => {
  it('counts a swapped pair of letters as one typo', () => {
    expect(editDistance('nnoe', 'none')).toBe(1);
    expect(editDistance('clasic', 'classic')).toBe(1);
  });

  it('suggests the profile or scenario a typo away, and nothing for a different word', () => {
    expect(closest('clasic', ['classic', 'never-policy', 'owner-always'])).toBe('classic');
    expect(closest('nnoe', PROFILE_NAMES)).toBe('none');
    expect(closest('always-pull-image', PROFILE_NAMES)).toBe('always-pull-images');
    expect(closest('kubelet', PROFILE_NAMES)).toBeUndefined(); // two profiles start with it: no guess
    expect(closest('banana', PROFILE_NAMES)).toBeUndefined();
  });
});
