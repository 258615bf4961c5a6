// nodes/{name}/proxy/{path} (pkg/registry/core/node/rest/proxy.go): the API server proxies to the node's kubelet.
// The embedded kubelets run in-process, so the lab registers what they answer; only /configz is served.
import { StatusError } from '../../../k8s/api-errors.js';
import type { RequestContext } from './context.js';

/** The kubelet's /configz body for a node, or undefined when no kubelet runs for it. */
export type NodeConfigz = (node: string) => Record<string, unknown> | undefined;

export function handleNodeProxy(ctx: RequestContext): void {
  const { info, resource, parts } = ctx;
  parts.store.mustGet(resource, undefined, info.name);
  const proxied = info.path.split('/').slice(6).join('/');
  const body = parts.nodeConfigz()(info.name);
  if (body === undefined) {
    // proxy.go: the kubelet cannot be dialled.
    throw new StatusError({ code: 503, reason: 'ServiceUnavailable', message: `error trying to reach service: no kubelet runs on node "${info.name}"`, details: {} });
  }
  if (proxied !== 'configz') {
    // The kubelet's mux answers an unknown path with Go's plain-text 404.
    ctx.res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' });
    ctx.res.end('404 page not found\n');
    return;
  }
  ctx.res.writeHead(200, { 'Content-Type': 'application/json' });
  ctx.res.end(JSON.stringify(body));
}
