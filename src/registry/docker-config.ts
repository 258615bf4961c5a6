// Credentials from a docker config JSON: the `.dockerconfigjson` key of a kubernetes.io/dockerconfigjson secret,
// or a plain ~/.docker/config.json-shaped object (`{"auths": {host: {auth | username/password}}}`).
import { DockerConfigError, parseDockerConfigEntry, type DockerConfig } from '../k8s/credential-keyring.js';

/** Parses `{"auths": {...}}` (dockerconfigjson) or the legacy `.dockercfg` map; errors name no secret value. */
export function parseDockerConfigJson(text: string | Buffer): DockerConfig {
  let json: unknown;
  try {
    json = JSON.parse(typeof text === 'string' ? text : text.toString('utf8'));
  } catch {
    throw new DockerConfigError('docker config is not valid JSON');
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new DockerConfigError('docker config is not a JSON object');
  const root = json as Record<string, unknown>;
  const auths = 'auths' in root ? root.auths : root;
  if (typeof auths !== 'object' || auths === null || Array.isArray(auths)) throw new DockerConfigError('docker config "auths" is not an object');
  const out: DockerConfig = {};
  for (const [location, entry] of Object.entries(auths)) out[location] = parseDockerConfigEntry(entry);
  return out;
}

/** A .dockerconfigjson for one registry, as `kubectl create secret docker-registry` writes it. */
export function makeDockerConfigJson(server: string, username: string, password: string): string {
  const auth = Buffer.from(`${username}:${password}`).toString('base64');
  return JSON.stringify({ auths: { [server]: { username, password, auth } } });
}
