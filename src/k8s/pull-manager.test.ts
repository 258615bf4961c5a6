import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { PullManager, credentialHash, getAllowlistImagePattern, pullRecordFileName, validateAllowlistImagesPatterns } from './pull-manager.js';

describe('credential hash (hashAuthConfig)', () => {
  it('is the SHA-256 of Go json.Marshal(AuthConfig), omitempty, declaration order', () => {
    const want = createHash('sha256').update('{"username":"u","password":"p"}').digest('hex');
    expect(credentialHash({ password: 'p', username: 'u' })).toBe(want);
    expect(credentialHash({ username: 'u', password: 'p', email: '' })).toBe(want);
    // Go escapes <, > and & in JSON strings
    expect(credentialHash({ username: 'a<b>&' })).toBe(createHash('sha256').update('{"username":"a\\u003cb\\u003e\\u0026"}').digest('hex'));
    expect(credentialHash({ username: 'u', password: 'q' })).not.toBe(want);
  });
});

describe('pull record file names (fs_pullrecords.go)', () => {
  it('match upstream test data', () => {
    expect(pullRecordFileName('docker.io/testing/test:latest')).toMatch(/^sha256-aef2af22/);
    expect(pullRecordFileName('repo.repo/test/test:latest')).toMatch(/^sha256-7d8c031e/);
  });
});

describe('allowlist patterns (image_pull_policies.go)', () => {
  it.each([
    [' a.io/b', 'leading/trailing spaces are not allowed:  a.io/b'],
    ['', 'the supplied pattern is too short: '],
    ['*', "not a valid wildcard pattern, only patterns ending with '/*' are allowed: *"],
    ['/*', 'at least registry hostname is required'],
    ['a.io/b:1', 'neither tag nor digest is accepted in an image reference: a.io/b:1'],
    ['nginx', 'neither tag nor digest is accepted in an image reference: nginx'],
    ['image.repo/', 'failed to parse as an image name: invalid reference format'],
  ])('%j → %s', (p, msg) => expect(() => getAllowlistImagePattern(p)).toThrow(msg));

  it('accepts names and trailing wildcards', () => {
    expect(getAllowlistImagePattern('docker.io/library/nginx')).toEqual({ pattern: 'docker.io/library/nginx', isWildcard: false });
    expect(getAllowlistImagePattern('registry.k8s.io/*')).toEqual({ pattern: 'registry.k8s.io/', isWildcard: true });
    expect(() => validateAllowlistImagesPatterns(['registry.k8s.io/*', 'x.io/*/y'])).toThrow();
  });
});

describe('PullManager state', () => {
  it('a restart turns leftover intents for images the runtime has into records without credentials', () => {
    const m = new PullManager(
      () => true,
      () => 0,
      { pulling: [{ image: 'docker.io/testing/test:latest' }], pulled: [] },
    );
    expect(m.mustAttemptImagePull('docker.io/testing/test:latest', 'ref1', { secrets: [] })).toBe(true);
    m.initialize([{ id: 'ref1', repoTags: ['docker.io/testing/test:latest'], repoDigests: [] }]);
    expect(m.pullIntents()).toEqual([]);
    expect(m.getImagePulledRecord('ref1')).toEqual({ lastUpdatedTime: '1970-01-01T00:00:00.000Z', imageRef: 'ref1', credentialMapping: {} });
    // restored from its JSON, the record still forces verification
    const restored = new PullManager(
      () => true,
      () => 0,
      JSON.parse(JSON.stringify(m)),
    );
    expect(restored.mustAttemptImagePull('docker.io/testing/test:latest', 'ref1', { secrets: [] })).toBe(true);
  });

  it('pruneUnknownRecords drops old records of images that are gone', () => {
    let now = 0;
    const m = new PullManager(
      () => true,
      () => now,
    );
    m.recordPullIntent('a:1');
    m.recordImagePulled('a:1', 'ref-a', { nodePodsAccessible: true });
    m.recordPullIntent('b:1');
    m.recordImagePulled('b:1', 'ref-b', { nodePodsAccessible: true });
    now = 10;
    m.pruneUnknownRecords(['ref-b'], 5);
    expect(m.getImagePulledRecord('ref-a')).toBeUndefined();
    expect(m.getImagePulledRecord('ref-b')).toBeDefined();
  });
});
