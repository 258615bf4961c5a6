import { describe, expect, it } from 'vitest';
import { UserError } from '../errors.js';
import { kindImages } from './kind-options.js';

describe('the kind image options', () => {
  it('pass through for kind, are a usage error elsewhere, and refuse what is not an image reference', () => {
    expect(kindImages({}, 'embedded')).toBeUndefined();
    expect(kindImages({ nodeImage: 'image-heist/kind-node:v1.36.3', busyboxImage: 'busybox@sha256:abc' }, 'kind')).toEqual({
      node: 'image-heist/kind-node:v1.36.3',
      busybox: 'busybox@sha256:abc',
    });
    expect(() => kindImages({ registryImage: 'registry:3' }, 'embedded')).toThrow(UserError);
    expect(() => kindImages({ nodeImage: '--privileged' }, 'kind')).toThrow(/not an image reference/);
  });
});
