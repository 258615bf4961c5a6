// The audit's one connection to the user's cluster: raw JSON requests with the kubeconfig's TLS and credentials
// (client-node does the kubeconfig part, including exec plugins), so the probes can send exactly the dry-run
// requests the research describes and read any answer, including a Status. Credentials never leave this file.
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { request as httpRequest } from 'node:http';
import { KubeConfig } from '@kubernetes/client-node';
import { BackendUnavailableError, UserError } from '../errors.js';

export interface KubeResponse {
  status: number;
  body: unknown;
  /** Warning headers (a VAP in Warn mode, Kyverno audit warnings). */
  warnings: string[];
}

export interface KubeTarget {
  server: string;
  context: string;
  namespace?: string;
}

export class KubeHttp {
  readonly target: KubeTarget;
  private constructor(
    private readonly kc: KubeConfig,
    target: KubeTarget,
    private readonly timeoutMs: number,
  ) {
    this.target = target;
  }

  static load(options: { kubeconfig?: string; context?: string; timeoutMs?: number }): KubeHttp {
    const kc = new KubeConfig();
    try {
      if (options.kubeconfig) kc.loadFromFile(options.kubeconfig);
      else kc.loadFromDefault();
    } catch (error) {
      throw new UserError(`cannot read the kubeconfig${options.kubeconfig ? ` ${options.kubeconfig}` : ''}: ${(error as Error).message}`, 'pass --kubeconfig FILE');
    }
    if (options.context) {
      if (!kc.getContexts().some((c) => c.name === options.context)) {
        throw new UserError(
          `no context "${options.context}" in the kubeconfig`,
          `use one of: ${
            kc
              .getContexts()
              .map((c) => c.name)
              .join(', ') || '(none)'
          }`,
        );
      }
      kc.setCurrentContext(options.context);
    }
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new UserError('the kubeconfig has no current cluster', 'pass --kubeconfig FILE and --context NAME');
    const context = kc.getCurrentContext();
    const ns = kc.getContextObject(context)?.namespace;
    return new KubeHttp(kc, { server: cluster.server, context, ...(ns ? { namespace: ns } : {}) }, options.timeoutMs ?? 15_000);
  }

  /** One request; a transport failure is a BackendUnavailableError (exit 3), any HTTP answer is returned. */
  async request(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<KubeResponse> {
    const url = new URL(path, this.target.server.replace(/\/+$/, '') + '/');
    // keep the server's path prefix (a proxy or Rancher URL) in front of the API path
    url.pathname = new URL(this.target.server).pathname.replace(/\/+$/, '') + path.split('?')[0];
    const options: RequestOptions = { method, headers: { Accept: 'application/json' } };
    try {
      await this.kc.applyToHTTPSOptions(options);
    } catch (error) {
      // client-node's refusals of the kubeconfig (http without insecure-skip-tls-verify, a failing exec plugin)
      throw new UserError(`the kubeconfig's context ${this.target.context} cannot be used: ${(error as Error).message}`, 'fix the kubeconfig or pick another --context');
    }
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    if (payload) Object.assign(options.headers as Record<string, string>, { 'Content-Type': contentType, 'Content-Length': String(payload.length) });
    const send = url.protocol === 'http:' ? httpRequest : httpsRequest;
    return new Promise<KubeResponse>((resolve, reject) => {
      const req = send(url, options, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = text;
          try {
            parsed = text === '' ? undefined : JSON.parse(text);
          } catch {
            // a non-JSON answer (a proxy's error page) stays text
          }
          const warning = res.headers['warning'];
          const warnings = (Array.isArray(warning) ? warning : warning ? [warning] : []).map((w) => w.replace(/^299 - "?|"$/g, ''));
          resolve({ status: res.statusCode ?? 0, body: parsed, warnings });
        });
      });
      req.setTimeout(this.timeoutMs, () => req.destroy(new Error(`no answer within ${this.timeoutMs / 1000} s`)));
      req.on('error', (error) =>
        reject(new BackendUnavailableError(`cluster unreachable: ${this.target.server}: ${error.message}`, 'check --kubeconfig and --context, and that the API server is up')),
      );
      req.end(payload);
    });
  }

  get(path: string): Promise<KubeResponse> {
    return this.request('GET', path);
  }
}

/** The Status message of an error answer, or a short description of what came back. */
export function statusMessage(r: KubeResponse): string {
  const b = r.body as { message?: unknown } | undefined;
  if (b && typeof b === 'object' && typeof b.message === 'string') return b.message;
  if (typeof r.body === 'string' && r.body.trim() !== '') return r.body.trim().slice(0, 200);
  return `HTTP ${r.status}`;
}

/** SelfSubjectAccessReview: may the audit's user do this? */
export async function canI(http: KubeHttp, attrs: { verb: string; resource: string; group?: string; subresource?: string; namespace?: string; name?: string }): Promise<boolean> {
  const r = await http.request('POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', {
    apiVersion: 'authorization.k8s.io/v1',
    kind: 'SelfSubjectAccessReview',
    spec: { resourceAttributes: { group: attrs.group ?? '', ...attrs } },
  });
  return r.status < 300 && (r.body as { status?: { allowed?: boolean } } | undefined)?.status?.allowed === true;
}
