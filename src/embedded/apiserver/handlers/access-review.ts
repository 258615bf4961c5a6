// SelfSubjectAccessReview: "can I?" answered by the same authorizer that guards every request
// (pkg/registry/authorization/selfsubjectaccessreview/rest.go).
import { newBadRequest } from '../../../k8s/api-errors.js';
import { decodeObjectBody, readBody } from '../body.js';
import type { RequestContext } from './context.js';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (o: Json, k: string): string => (typeof o[k] === 'string' ? (o[k] as string) : '');

export async function handleSelfSubjectAccessReview(ctx: RequestContext): Promise<void> {
  const body = await readBody(ctx.req, ctx.parts.maxRequestBodyBytes);
  const { object } = decodeObjectBody(ctx.req.headers['content-type'], body, 'SelfSubjectAccessReview');
  const spec = isObject(object['spec']) ? object['spec'] : {};
  const ra = isObject(spec['resourceAttributes']) ? spec['resourceAttributes'] : undefined;
  const nra = isObject(spec['nonResourceAttributes']) ? spec['nonResourceAttributes'] : undefined;
  // validation/validation.go ValidateSelfSubjectAccessReviewSpec
  if (ra && nra)
    throw newBadRequest(
      'SelfSubjectAccessReview.authorization.k8s.io "" is invalid: spec.nonResourceAttributes: Invalid value: "": cannot be specified in combination with resourceAttributes',
    );
  if (!ra && !nra)
    throw newBadRequest(
      'SelfSubjectAccessReview.authorization.k8s.io "" is invalid: spec.resourceAttributes: Invalid value: "null": exactly one of nonResourceAttributes or resourceAttributes must be specified',
    );
  const decision = ra
    ? ctx.parts.authorize(ctx.user, {
        resourceRequest: true,
        verb: str(ra, 'verb'),
        apiGroup: str(ra, 'group'),
        resource: str(ra, 'resource'),
        subresource: str(ra, 'subresource'),
        namespace: str(ra, 'namespace'),
        name: str(ra, 'name'),
      })
    : ctx.parts.authorize(ctx.user, { resourceRequest: false, verb: str(nra ?? {}, 'verb'), path: str(nra ?? {}, 'path') });
  const status: Json = { allowed: decision.allowed };
  if (decision.reason) status['reason'] = decision.reason;
  ctx.respond(201, {
    kind: 'SelfSubjectAccessReview',
    apiVersion: 'authorization.k8s.io/v1',
    metadata: {},
    spec,
    status,
  });
}

/** SelfSubjectRulesReview (`kubectl auth can-i --list`): pkg/registry/authorization/selfsubjectrulesreview/rest.go. */
export async function handleSelfSubjectRulesReview(ctx: RequestContext): Promise<void> {
  const body = await readBody(ctx.req, ctx.parts.maxRequestBodyBytes);
  const { object } = decodeObjectBody(ctx.req.headers['content-type'], body, 'SelfSubjectRulesReview');
  const spec = isObject(object['spec']) ? object['spec'] : {};
  const namespace = str(spec, 'namespace');
  ctx.respond(201, {
    kind: 'SelfSubjectRulesReview',
    apiVersion: 'authorization.k8s.io/v1',
    metadata: {},
    spec,
    status: ctx.parts.rulesFor(ctx.user, namespace),
  });
}
