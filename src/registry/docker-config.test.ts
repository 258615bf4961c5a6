import { describe, expect, it } from 'vitest';
import { DockerConfigError } from '../k8s/credential-keyring.js';
import { makeDockerConfigJson, parseDockerConfigJson } from './docker-config.js';

describe('parseDockerConfigJson', () => {
  it('reads what kubectl create secret docker-registry writes', () => {
    const json = makeDockerConfigJson('127.0.0.1:5000', 'admin1', 'p:ss');
    expect(JSON.parse(json)).toEqual({ auths: { '127.0.0.1:5000': { username: 'admin1', password: 'p:ss', auth: Buffer.from('admin1:p:ss').toString('base64') } } });
    expect(parseDockerConfigJson(json)).toEqual({ '127.0.0.1:5000': { username: 'admin1', password: 'p:ss' } });
  });

  it('takes auth alone, and the legacy .dockercfg map without "auths"', () => {
    const auth = Buffer.from('u:p').toString('base64');
    expect(parseDockerConfigJson(JSON.stringify({ auths: { 'r.example:1': { auth } } }))).toEqual({ 'r.example:1': { username: 'u', password: 'p' } });
    expect(parseDockerConfigJson(JSON.stringify({ 'r.example:1': { auth, email: 'e@x' } }))).toEqual({ 'r.example:1': { username: 'u', password: 'p', email: 'e@x' } });
  });

  it('rejects malformed JSON and entries with clear errors that quote no secret', () => {
    for (const bad of ['{', '[]', '{"auths":[]}', '{"auths":{"h":"x"}}', '{"auths":{"h":{"username":5}}}']) {
      expect(() => parseDockerConfigJson(bad)).toThrow(DockerConfigError);
    }
    const secret = Buffer.from('only-a-token-no-colon').toString('base64');
    let message = '';
    try {
      parseDockerConfigJson(JSON.stringify({ auths: { h: { auth: secret } } }));
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toBe('unable to parse auth field, must be formatted as base64(username:password)');
    expect(message).not.toContain('only-a-token');
  });
});
