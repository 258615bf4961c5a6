import { describe, expect, it } from 'vitest';
import {
  StatusError,
  aggregate,
  errorToAPIStatus,
  fieldDuplicate,
  fieldErrorListToAggregate,
  fieldForbidden,
  fieldInternalError,
  fieldInvalid,
  fieldNotFound,
  fieldNotSupported,
  fieldRequired,
  goQuote,
  newAlreadyExists,
  newAuthorizationForbidden,
  newBadRequest,
  newConflict,
  newForbidden,
  newInternalError,
  newInvalid,
  newMethodNotSupported,
  newNotFound,
  newRequestEntityTooLarge,
  newUnsupportedMediaType,
} from './api-errors.js';

const pods = { group: '', resource: 'pods' };

describe('Status builders (apimachinery errors.go)', () => {
  it('NotFound / AlreadyExists / Conflict', () => {
    expect(newNotFound(pods, 'x').status).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'pods "x" not found',
      reason: 'NotFound',
      details: { name: 'x', kind: 'pods' },
      code: 404,
    });
    expect(newNotFound({ group: 'apps', resource: 'deployments' }, 'd').message).toBe('deployments.apps "d" not found');
    expect(newAlreadyExists(pods, 'x').status).toMatchObject({ code: 409, reason: 'AlreadyExists', message: 'pods "x" already exists' });
    expect(newConflict(pods, 'x', 'the object has been modified').status).toMatchObject({
      code: 409,
      reason: 'Conflict',
      message: 'Operation cannot be fulfilled on pods "x": the object has been modified',
    });
  });

  it('Forbidden with a name, without a name, without a resource', () => {
    expect(newForbidden(pods, 'x', 'no').message).toBe('pods "x" is forbidden: no');
    expect(newForbidden({ group: '', resource: 'secrets' }, '', 'no').message).toBe('secrets is forbidden: no');
    expect(newForbidden({ group: '', resource: '' }, '', 'no').message).toBe('forbidden: no');
    expect(newForbidden(pods, 'x', 'no').status.code).toBe(403);
  });

  it('authorization denials read as the API server writes them', () => {
    const e = newAuthorizationForbidden({ user: 'admin2', verb: 'list', resource: 'secrets', apiGroup: '', namespace: 'tenant-a' });
    expect(e.message).toBe('secrets is forbidden: User "admin2" cannot list resource "secrets" in API group "" in the namespace "tenant-a"');
    expect(e.status.details).toEqual({ kind: 'secrets' });
    const get = newAuthorizationForbidden({ user: 'admin2', verb: 'get', resource: 'pods', subresource: 'log', namespace: 'tenant-a', name: 'pod1' });
    expect(get.message).toBe('pods "pod1" is forbidden: User "admin2" cannot get resource "pods/log" in API group "" in the namespace "tenant-a"');
    expect(newAuthorizationForbidden({ user: 'u', verb: 'list', resource: 'nodes' }).message).toBe(
      'nodes is forbidden: User "u" cannot list resource "nodes" in API group "" at the cluster scope',
    );
    expect(newAuthorizationForbidden({ user: 'u', verb: 'get', path: '/version' }).message).toBe('forbidden: User "u" cannot get path "/version"');
  });

  it('Invalid joins field errors as an aggregate, one cause each', () => {
    const one = newInvalid({ group: '', kind: 'Pod' }, 'x', [fieldRequired('spec.containers[0].image')]);
    expect(one.message).toBe('Pod "x" is invalid: spec.containers[0].image: Required value');
    expect(one.status.code).toBe(422);
    expect(one.status.details).toEqual({
      kind: 'Pod',
      name: 'x',
      causes: [{ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.containers[0].image' }],
    });
    const two = newInvalid({ group: '', kind: 'Pod' }, 'x', [
      fieldRequired('spec.containers[0].image'),
      fieldInvalid('metadata.name', 'A', 'must be lowercase'),
      fieldRequired('spec.containers[0].image'),
    ]);
    expect(two.message).toBe('Pod "x" is invalid: [spec.containers[0].image: Required value, metadata.name: Invalid value: "A": must be lowercase]');
    expect(two.status.details?.causes).toHaveLength(3);
    expect(newInvalid({ group: 'apps', kind: 'Deployment' }, 'd', []).message).toBe('Deployment.apps "d" is invalid');
  });

  it('the other builders', () => {
    expect(newBadRequest('bad').status).toMatchObject({ code: 400, reason: 'BadRequest', message: 'bad' });
    expect(newInternalError('boom').status).toMatchObject({
      code: 500,
      reason: 'InternalError',
      message: 'Internal error occurred: boom',
      details: { causes: [{ message: 'boom' }] },
    });
    expect(newMethodNotSupported(pods, 'patch').message).toBe('patch is not supported on resources of kind "pods"');
    expect(newMethodNotSupported(pods, 'patch').status.code).toBe(405);
    expect(newUnsupportedMediaType(['application/json', 'application/yaml']).status).toMatchObject({
      code: 415,
      reason: 'UnsupportedMediaType',
      message: 'the body of the request was in an unknown format - accepted media types include: application/json, application/yaml',
    });
    expect(newRequestEntityTooLarge('limit is 3145728').status).toMatchObject({
      code: 413,
      reason: 'RequestEntityTooLarge',
      message: 'Request entity too large: limit is 3145728',
    });
  });
});

describe('field errors (field/errors.go)', () => {
  it.each([
    [fieldRequired('a.b'), 'a.b: Required value'],
    [fieldRequired('a.b', 'name or generateName is required'), 'a.b: Required value: name or generateName is required'],
    [fieldInvalid('a', 'x y', 'bad'), 'a: Invalid value: "x y": bad'],
    [fieldInvalid('a', 3, 'must be positive'), 'a: Invalid value: 3: must be positive'],
    [fieldInvalid('a', true, ''), 'a: Invalid value: true'],
    [fieldInvalid('a', null, ''), 'a: Invalid value: "null"'],
    [fieldNotSupported('p', 'Sometimes', ['Always', 'IfNotPresent', 'Never']), 'p: Unsupported value: "Sometimes": supported values: "Always", "IfNotPresent", "Never"'],
    [fieldNotSupported('p', '', []), 'p: Unsupported value: ""'],
    [fieldForbidden('spec', 'pod updates may not change fields'), 'spec: Forbidden: pod updates may not change fields'],
    [fieldDuplicate('spec.containers[1].name', 'a'), 'spec.containers[1].name: Duplicate value: "a"'],
    [fieldNotFound('spec.x', 'y'), 'spec.x: Not found: "y"'],
    [fieldInternalError('spec', new Error('oops')), 'spec: Internal error: oops'],
  ])('%s', (err, text) => {
    expect(String(err)).toBe(text);
    expect(err.message).toBe(text);
  });

  it('quotes like Go %q', () => {
    expect(goQuote('a"b\\c\n\t\x01\x7fé')).toBe('"a\\"b\\\\c\\n\\t\\x01\\x7fé"');
  });

  it('ErrorList.ToAggregate drops duplicates', () => {
    expect(fieldErrorListToAggregate([fieldRequired('a'), fieldRequired('a')])?.message).toBe('a: Required value');
    expect(fieldErrorListToAggregate([])).toBeUndefined();
  });
});

describe('aggregate (util/errors)', () => {
  it('formats one bare, several bracketed, duplicates removed, nested flattened', () => {
    expect(aggregate([])).toBeUndefined();
    expect(aggregate([null, undefined])).toBeUndefined();
    expect(aggregate([new Error('a')])?.message).toBe('a');
    expect(aggregate([new Error('a'), new Error('b')])?.message).toBe('[a, b]');
    expect(aggregate([new Error('a'), new Error('a')])?.message).toBe('a');
    const nested = aggregate([new Error('a'), aggregate([new Error('b'), new Error('a')])!]);
    expect(nested?.message).toBe('[a, b]');
  });

  it('a non-Status error becomes 500 with no reason (ErrorToAPIStatus)', () => {
    const s = errorToAPIStatus(aggregate([new Error('a'), new Error('b')])!);
    expect(s).toEqual({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: '[a, b]', code: 500 });
    expect(errorToAPIStatus(newNotFound(pods, 'x')).code).toBe(404);
    expect(new StatusError({ code: 418, message: 'teapot' }).status.status).toBe('Failure');
  });
});
