// SelfSubjectAccessReview and SelfSubjectRulesReview: not stored, created only, answered by the authorizer
// (pkg/registry/authorization/selfsubject{access,rules}review/rest.go).
import { handleSelfSubjectAccessReview, handleSelfSubjectRulesReview } from '../handlers/access-review.js';
import type { ResourceInfo } from '../resources.js';
import type { ResourceStrategy } from './types.js';

const review = (resource: string, kind: string): ResourceInfo => ({
  group: 'authorization.k8s.io',
  version: 'v1',
  resource,
  singular: resource.replace(/s$/, ''),
  kind,
  namespaced: false,
  verbs: ['create'],
  shortNames: [],
  categories: [],
  subresources: [],
});

export const selfSubjectRulesReviews: ResourceStrategy = {
  info: review('selfsubjectrulesreviews', 'SelfSubjectRulesReview'),
  validate: () => [],
  validateUpdate: () => [],
  handlers: { create: handleSelfSubjectRulesReview },
};

export const selfSubjectAccessReviews: ResourceStrategy = {
  info: review('selfsubjectaccessreviews', 'SelfSubjectAccessReview'),
  validate: () => [],
  validateUpdate: () => [],
  handlers: { create: handleSelfSubjectAccessReview },
};
