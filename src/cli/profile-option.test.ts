import { describe, expect, it } from 'vitest';
import { UserError } from '../errors.js';
import { PROFILE_NAMES } from '../lab/profiles.js';
import { checkScenarioNames, profilesFrom } from './profile-option.js';

describe('--profile, one spelling everywhere', () => {
  it('takes a comma list, a repeated flag, the old --profiles, and all anywhere', () => {
    expect(profilesFrom({ profile: ['none,kubelet-default'] }, [])).toEqual(['none', 'kubelet-default']);
    expect(profilesFrom({ profile: ['always-pull-images', 'none'] }, [])).toEqual(['always-pull-images', 'none']);
    expect(profilesFrom({ profiles: ['none,always-pull-images'] }, [])).toEqual(['none', 'always-pull-images']);
    expect(profilesFrom({ profile: ['all,none'] }, [])).toEqual([...PROFILE_NAMES]);
    expect(profilesFrom({ profile: ['none', 'none'] }, [])).toEqual(['none']);
    expect(profilesFrom({}, ['none'])).toEqual(['none']);
  });

  it('a typo is one error with a suggestion and the valid names', () => {
    expect(() => profilesFrom({ profile: ['nnoe'] }, [])).toThrow(UserError);
    expect(() => profilesFrom({ profile: ['nnoe'] }, [])).toThrow('unknown profile "nnoe"; did you mean "none"?');
    expect(() => profilesFrom({ profile: ['al'] }, [])).toThrow('did you mean "all"?');
  });

  it('a mistyped scenario gets a suggestion; names and files pass', async () => {
    await expect(checkScenarioNames(['clasic'])).rejects.toThrow('unknown scenario "clasic"; did you mean "classic"?');
    await expect(checkScenarioNames(['classic', 'scenarios/classic.yaml'])).resolves.toBeUndefined();
  });
});
