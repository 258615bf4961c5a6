// The embedded Kubernetes API server: HTTPS on 127.0.0.1 with a per-lab CA, bearer-token users,
// RBAC authorization, discovery, OpenAPI v3, and the REST resources in resources.ts.
//
//   const api = await startApiServer({ admissionPlugins: admissionPluginsFor(profile.enableAdmissionPlugins) });
//   api.url, api.caPem, api.users (name + token), api.kubeconfig()  // for kubectl / client-node
//   api.store                                                        // in-process access, see store.ts
//   api.setPodLogs(fn)                                               // the kubelet serves pods/log
//   await api.close()
//
// Request pipeline as upstream's handler chain (k8s.io/apiserver/pkg/server/config.go
// DefaultBuildHandlerChain): request info → authentication → authorization → route → handler.
import type { NodeConfigz } from './handlers/node-proxy.js';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isIPv6, type AddressInfo, type Socket } from 'node:net';
import { auditEvent, auditLevel, type AuditSink } from './audit.js';
import { newMethodNotSupported, StatusError, toStatusError, type Status } from '../../k8s/api-errors.js';
import { AdmissionChain, type AdmissionPluginName } from './admission.js';
import { randomToken, TokenAuthenticator, type TokenUser, type UserInfo } from './authn.js';
import { RbacAuthorizer } from './authorizer.js';
import { impersonatedUser } from './authentication/impersonation.js';
import { BodyTooLargeError, defaultMaxRequestBodyBytes, protobufMediaType } from './body.js';
import { aggregatedDiscovery, aggregatedDiscoveryContentType, apiGroup, apiGroupList, apiResourceList, apiVersions, wantsAggregatedDiscovery } from './discovery.js';
import type { PodLogs, RequestContext, ServerParts } from './handlers/context.js';
import { noKubeletPodLogs } from './handlers/pods.js';
import { strategyFor } from './registry/index.js';
import { handleCreate, handleDelete, handleDeleteCollection, handleGet, handleList, handleUpdate, handleWatch, setWatchTableRenderer } from './handlers/rest.js';
import { renderKubeconfig } from './kubeconfig.js';
import { seedClusterPolicy, seedTenant } from './lab-rbac.js';
import { buildOpenApi } from './openapi.js';
import { parseRequestInfo, type ResourceRequestInfo } from './request-info.js';
import { findResource, groupVersions, resources, type ResourceInfo, type Verb } from './resources.js';
import { ObjectStore, type KubeObject, type StoreLimits } from './store.js';
import { DecodeWorker } from './endpoints/decode-worker.js';
import { toTable, type IncludeObjectPolicy } from './tables.js';
import { generateServingCertificate, type ServingCertificate } from './tls.js';

export { admissionPluginsFor, type AdmissionPluginName } from './admission.js';
export type { PodLogs } from './handlers/context.js';

/** What /version answers: v1.36, the release whose kubelet the lab models. */
export const serverVersion = {
  major: '1',
  minor: '36',
  gitVersion: 'v1.36.3',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2026-11-01T00:00:00Z',
  goVersion: 'go1.25.3',
  compiler: 'gc',
  platform: 'linux/amd64',
} as const;

export interface StartApiServerOptions {
  /** The admission plugins that run (see admissionPluginsFor); explicit, because the profile decides. */
  admissionPlugins: readonly AdmissionPluginName[];
  /**
   * Bearer-token users. Default: `admin` (cluster-admin), `admin1` and `admin2`, random tokens.
   * Users named in `clusterAdmins` get a cluster-admin binding.
   */
  users?: readonly TokenUser[];
  clusterAdmins?: readonly string[];
  /** Tenants to create at start: namespace + Role/RoleBinding for the user. Default admin1→tenant-a, admin2→tenant-b. */
  tenants?: readonly { user: string; namespace: string }[];
  /** Largest request body accepted (default 3 MiB, as kube-apiserver). */
  maxRequestBodyBytes?: number;
  /** The store's etcd-like limits: object size, quota, watch history, event TTL (store.ts defaultStoreLimits). */
  storeLimits?: Partial<StoreLimits>;
  /** Lab time for event expiry and watch compaction (default: the wall clock). */
  clock?: { now(): number };
  /** Reuse a serving certificate instead of generating one. */
  tls?: ServingCertificate;
  /** Port on 127.0.0.1 (default: any free port). */
  port?: number;
  /** The address to bind and to name in the URL (default 127.0.0.1); the serving certificate's SANs follow. */
  host?: string;
  podLogs?: PodLogs;
  /**
   * Delete pods bound to a node gracefully, as upstream: the DELETE sets deletionTimestamp and the
   * pod's kubelet finishes with `store.delete(pods, ns, name)`. Off by default (no kubelet: pods go at once).
   */
  gracefulPodDeletion?: boolean;
  /** Where the audit log's events go (audit.ts has the lab's policy); none when omitted, as without --audit-log-path. */
  audit?: AuditSink;
}

export interface ApiServer {
  url: string;
  caPem: string;
  store: ObjectStore;
  users: readonly TokenUser[];
  /** A kubeconfig with one context per user (`admin` current), the CA and the tokens. */
  kubeconfig(options?: { users?: readonly string[]; namespaces?: Record<string, string> }): string;
  /** The kubelet registers itself here to serve pods/log. */
  setPodLogs(fn: PodLogs): void;
  /** The kubelets register what they answer on nodes/<name>/proxy/configz. */
  setNodeConfigz(fn: NodeConfigz): void;
  close(): Promise<void>;
}

const defaultTenants = [
  { user: 'admin1', namespace: 'tenant-a' },
  { user: 'admin2', namespace: 'tenant-b' },
];

const namespacesResource = findResource('', 'v1', 'namespaces')!;
const serviceAccountsResource = findResource('', 'v1', 'serviceaccounts')!;

export async function startApiServer(options: StartApiServerOptions): Promise<ApiServer> {
  const users = options.users ?? [
    { name: 'admin', token: randomToken() },
    { name: 'admin1', token: randomToken() },
    { name: 'admin2', token: randomToken() },
  ];
  const clusterAdmins = options.clusterAdmins ?? (users.some((u) => u.name === 'admin') ? ['admin'] : []);
  const tls = options.tls ?? (await generateServingCertificate(options.host ? { hosts: [options.host] } : {}));
  const store = new ObjectStore({ ...(options.storeLimits ? { limits: options.storeLimits } : {}), ...(options.clock ? { now: () => options.clock!.now() } : {}) });
  const decoder = new DecodeWorker(store.limits.maxObjectBytes);
  const authenticator = new TokenAuthenticator(users);
  const authorizer = new RbacAuthorizer(store);
  let podLogs: PodLogs = options.podLogs ?? noKubeletPodLogs;
  let nodeConfigz: NodeConfigz = () => undefined;
  const openapi = buildOpenApi(serverVersion.gitVersion);

  // The serviceaccounts controller's job, done at once: every namespace gets its `default` ServiceAccount.
  const stopNamespaceController = store.watch(namespacesResource, {}, (event) => {
    const name = event.object.metadata.name ?? '';
    if (event.type !== 'ADDED' || store.get(serviceAccountsResource, name, 'default')) return;
    store.create(serviceAccountsResource, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: name } });
  });

  const parts: ServerParts = {
    store,
    admission: new AdmissionChain(options.admissionPlugins),
    maxRequestBodyBytes: options.maxRequestBodyBytes ?? defaultMaxRequestBodyBytes,
    decoder,
    gracefulPodDeletion: options.gracefulPodDeletion ?? false,
    podLogs: () => podLogs,
    nodeConfigz: () => nodeConfigz,
    authorize: (user, attributes) => authorizer.authorize(user, attributes),
    rulesFor: (user, namespace) => authorizer.rulesFor(user, namespace),
    purgeNamespace: (namespace) => {
      for (const r of resources) {
        if (!r.namespaced || !r.verbs.includes('delete')) continue;
        for (const o of store.list(r, namespace, undefined, { shared: true }).items) store.delete(r, namespace, o.metadata.name ?? '', { shared: true });
      }
    },
  };
  // A watch event under `as=Table` carries a one-row Table (kubectl keeps the list's column definitions).
  setWatchTableRenderer((ctx, object) =>
    toTable(ctx.resource.resource, [object], {
      wide: true,
      now: Date.now(),
      includeObject: includeObjectPolicy(ctx.query),
      ...(object.metadata.resourceVersion ? { resourceVersion: object.metadata.resourceVersion } : {}),
    }),
  );

  const server: Server = createServer({ cert: tls.certPem, key: tls.keyPem }, (req, res) => {
    void handle(req, res).catch((error: unknown) => writeError(req, res, error));
  });
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  // Unparseable HTTP: answer 400 and close, as Node's default does, without logging anything of the request.
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = options.host ?? '127.0.0.1';
  const url = `https://${isIPv6(host) ? `[${host}]` : host}:${port}`;
  seedClusterPolicy(store, { clusterAdmins, apiServerPort: port });
  for (const tenant of options.tenants ?? defaultTenants.filter((t) => users.some((u) => u.name === t.user))) seedTenant(store, tenant);

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // net/http refuses a request-URI whose path has a malformed escape (url.ParseRequestURI) before any handler.
    if (/%(?![0-9a-fA-F]{2})/.test((req.url ?? '/').split('?')[0] ?? '')) return badRequestLine(req, res);
    const parsed = new URL(req.url ?? '/', 'https://127.0.0.1');
    const query = parsed.searchParams;
    const method = req.method ?? 'GET';
    const info = parseRequestInfo(method, parsed.pathname, query);
    // Authentication: a wrong token is 401; no token is the anonymous user (RBAC then decides).
    const authorization = req.headers.authorization;
    let user: UserInfo;
    if (authorization === undefined) user = { name: 'system:anonymous', groups: ['system:unauthenticated'] };
    else {
      const found = authenticator.authenticate(authorization);
      if (!found) {
        writeStatus(res, new StatusError({ code: 401, reason: 'Unauthorized', message: 'Unauthorized' }).status);
        return;
      }
      user = found;
    }
    user = impersonatedUser(req.headersDistinct, user, {
      authorize: (u, request) => authorizer.authorize(u, request),
      forbidden: (u, request, reason) => authorizer.forbiddenFor(u, request, reason),
    });
    const decision = info.isResourceRequest
      ? authorizer.authorize(user, {
          resourceRequest: true,
          verb: info.verb,
          apiGroup: info.group,
          resource: info.resource,
          subresource: info.subresource,
          namespace: info.namespace,
          name: info.name,
        })
      : authorizer.authorize(user, { resourceRequest: false, verb: info.verb, path: info.path });
    if (!decision.allowed) throw authorizer.forbidden(user, info, decision.reason);
    if (!info.isResourceRequest) {
      if (method !== 'GET' && method !== 'HEAD') throw notFound();
      serveNonResource(req, res, parsed.pathname, query);
      return;
    }
    const sink = options.audit;
    if (!sink || auditLevel(info) === 'None') return serveResource(req, res, info, query, user);
    const received = Date.now();
    const audited = { name: info.name };
    const record = (outcome: { code: number } | Status) =>
      sink(
        auditEvent({
          info,
          requestURI: req.url ?? '/',
          user,
          sourceIP: req.socket.remoteAddress ?? '',
          userAgent: req.headers['user-agent'],
          name: audited.name,
          received,
          outcome,
          now: Date.now(),
        }),
      );
    try {
      await serveResource(req, res, info, query, user, audited);
    } catch (error) {
      record(toStatusError(error instanceof Error ? error : new Error(String(error))).status);
      throw error;
    }
    record({ code: res.statusCode });
  }

  function serveNonResource(req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams): void {
    const accept = req.headers.accept;
    const trimmed = path.replace(/\/+$/, '') || '/';
    if (trimmed === '/version') return writeJson(res, 200, serverVersion);
    if (trimmed === '/healthz' || trimmed === '/livez' || trimmed === '/readyz') {
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' });
      res.end('ok');
      return;
    }
    if (trimmed === '/api') {
      if (wantsAggregatedDiscovery(accept)) return writeJson(res, 200, aggregatedDiscovery('core'), aggregatedDiscoveryContentType);
      return writeJson(res, 200, apiVersions(`127.0.0.1:${port}`));
    }
    if (trimmed === '/apis') {
      if (wantsAggregatedDiscovery(accept)) return writeJson(res, 200, aggregatedDiscovery('groups'), aggregatedDiscoveryContentType);
      return writeJson(res, 200, apiGroupList());
    }
    if (trimmed === '/api/v1') return writeJson(res, 200, apiResourceList('', 'v1'));
    const group = /^\/apis\/([^/]+)$/.exec(trimmed);
    if (group?.[1] && groupVersions().some((gv) => gv.group === group[1])) return writeJson(res, 200, apiGroup(group[1]));
    const gv = /^\/apis\/([^/]+)\/([^/]+)$/.exec(trimmed);
    if (gv?.[1] && gv[2]) {
      const list = apiResourceList(gv[1], gv[2]);
      if (list) return writeJson(res, 200, list);
    }
    if (trimmed === '/openapi/v3') return writeJson(res, 200, openapi.root);
    const doc = /^\/openapi\/v3\/(.+)$/.exec(trimmed);
    if (doc?.[1]) {
      const found = openapi.byPath.get(doc[1]);
      if (found) {
        // A hash-addressed document never changes, so clients may cache it for good (as upstream).
        const immutable = query.get('hash') === found.hash;
        res.writeHead(200, {
          'Content-Type': 'application/json',
          ...(immutable ? { 'Cache-Control': 'public, immutable', Expires: new Date(Date.now() + 365 * 86_400_000).toUTCString() } : { 'Cache-Control': 'no-cache, private' }),
        });
        res.end(found.body);
        return;
      }
    }
    throw notFound();
  }

  async function serveResource(
    req: IncomingMessage,
    res: ServerResponse,
    info: ResourceRequestInfo,
    query: URLSearchParams,
    user: UserInfo,
    audited?: { name: string },
  ): Promise<void> {
    const resource = findResource(info.group, info.version, info.resource);
    if (!resource || info.unrouted) throw notFound();
    if (info.namespace !== '' && !resource.namespaced && info.resource !== 'namespaces') throw notFound();
    if (info.subresource !== '' && !resource.subresources.some((s) => s.name === info.subresource)) throw notFound();
    if (resource.namespaced && info.namespace === '' && info.verb !== 'list' && info.verb !== 'watch') {
      // Only list and watch have a cluster-wide route for namespaced resources.
      if (info.name !== '') throw notFound();
      throw new StatusError({ code: 405, reason: 'MethodNotAllowed', message: 'the server does not allow this method on the requested resource', details: {} });
    }
    const ctx: RequestContext = {
      req,
      res,
      info,
      resource,
      query,
      user,
      parts,
      ...(audited ? { audited } : {}),
      respond: (code, object, opts) => respond(req, res, resource, query, code, object, opts?.table === true),
    };
    // A resource that is not stored, or a subresource with its own handler (pods/log), says so in its strategy.
    const strategy = strategyFor(resource);
    const own = info.subresource === '' ? strategy.handlers : strategy.subresourceHandlers?.[info.subresource];
    if (own) {
      const handler = own[info.verb as Verb];
      if (!handler) throw newMethodNotSupported({ group: resource.group, resource: info.subresource ? `${resource.resource}/${info.subresource}` : resource.resource }, info.verb);
      return handler(ctx);
    }
    if ((info.verb === 'update' || info.verb === 'patch') && info.name === '') {
      // No PUT or PATCH route on a collection (go-restful's 405, as kube-apiserver answers it).
      throw new StatusError({ code: 405, reason: 'MethodNotAllowed', message: 'the server does not allow this method on the requested resource', details: {} });
    }
    const allowed = info.subresource === '' ? resource.verbs : (resource.subresources.find((s) => s.name === info.subresource)?.verbs ?? []);
    if (!(allowed as readonly string[]).includes(info.verb)) {
      throw newMethodNotSupported({ group: resource.group, resource: info.subresource ? `${resource.resource}/${info.subresource}` : resource.resource }, info.verb);
    }
    switch (info.verb) {
      case 'get':
        return handleGet(ctx);
      case 'list':
        return handleList(ctx);
      case 'watch':
        return handleWatch(ctx);
      case 'create':
        return handleCreate(ctx);
      case 'update':
        return handleUpdate(ctx, 'update');
      case 'patch':
        return handleUpdate(ctx, 'patch');
      case 'delete':
        return handleDelete(ctx);
      case 'deletecollection':
        return handleDeleteCollection(ctx);
      default:
        throw newMethodNotSupported({ group: resource.group, resource: resource.resource }, info.verb);
    }
  }

  function respond(req: IncomingMessage, res: ServerResponse, resource: ResourceInfo, query: URLSearchParams, code: number, object: unknown, tableAllowed: boolean): void {
    const accept = req.headers.accept ?? '';
    if (tableAllowed && accept.includes('as=Table')) {
      const o = object as KubeObject & { items?: KubeObject[] };
      const items = Array.isArray(o.items) ? o.items : [o];
      const table = toTable(resource.resource, items, {
        wide: true,
        now: Date.now(),
        includeObject: includeObjectPolicy(query),
        resourceVersion: o.metadata.resourceVersion ?? '',
      });
      const metadata: Record<string, unknown> = { ...table.metadata };
      if (Array.isArray(o.items) && o.metadata.continue) metadata['continue'] = o.metadata.continue;
      return writeJson(res, code, { ...table, metadata });
    }
    if (!acceptsJson(accept)) {
      throw new StatusError({
        code: 406,
        reason: 'NotAcceptable',
        message: 'only the following media types are accepted: application/json, application/yaml, application/vnd.kubernetes.protobuf',
      });
    }
    writeJson(res, code, object, 'application/json', store.encoded(object));
  }

  return {
    url,
    caPem: tls.caPem,
    store,
    users,
    kubeconfig(opts = {}) {
      const names = opts.users ?? users.map((u) => u.name);
      const tenantNamespaces = Object.fromEntries((options.tenants ?? defaultTenants).map((t) => [t.user, t.namespace]));
      const namespaces = { ...tenantNamespaces, ...(opts.namespaces ?? {}) };
      return renderKubeconfig({
        server: url,
        caPem: tls.caPem,
        users: users.filter((u) => names.includes(u.name)).map((u) => ({ name: u.name, token: u.token, ...(namespaces[u.name] ? { namespace: namespaces[u.name] } : {}) })),
        currentContext: names.includes('admin') ? 'admin' : (names[0] ?? ''),
      });
    },
    setPodLogs(fn) {
      podLogs = fn;
    },
    setNodeConfigz(fn) {
      nodeConfigz = fn;
    },
    async close() {
      stopNamespaceController();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
      await decoder.close();
    },
  };
}

/** includeObject=None|Metadata|Object (Metadata by default; kubectl's --sort-by asks for Object). */
function includeObjectPolicy(query: URLSearchParams): IncludeObjectPolicy {
  const v = query.get('includeObject');
  return v === 'None' || v === 'Object' ? v : 'Metadata';
}

/** Upstream's 404 for a path no handler serves (genericapiserver NotFoundHandler). */
function notFound(): StatusError {
  return new StatusError({ code: 404, reason: 'NotFound', message: 'the server could not find the requested resource', details: {} });
}

function acceptsJson(accept: string): boolean {
  if (accept.trim() === '') return true;
  return accept.split(',').some((part) => {
    const type = (part.split(';')[0] ?? '').trim().toLowerCase();
    return type === 'application/json' || type === '*/*' || type === 'application/*' || type === 'application/yaml' || type === protobufMediaType;
  });
}

function writeJson(res: ServerResponse, code: number, body: unknown, contentType = 'application/json', encoded?: string): void {
  if (res.headersSent) return;
  const text = encoded ?? JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-cache, private' });
  res.end(text);
}

/** Go's net/http answer to an unparseable request line: plain text, and the connection closes. */
function badRequestLine(req: IncomingMessage, res: ServerResponse): void {
  req.resume();
  res.writeHead(400, { 'Content-Type': 'text/plain; charset=utf-8', Connection: 'close' });
  res.end('400 Bad Request');
}

function writeStatus(res: ServerResponse, status: Status): void {
  writeJson(res, status.code, status);
}

function writeError(req: IncomingMessage, res: ServerResponse, error: unknown): void {
  const err = error instanceof Error ? error : new Error(String(error));
  const status = toStatusError(err).status;
  if (res.headersSent) {
    // A streaming response already started: the only thing left to do is to end it.
    res.end();
    return;
  }
  // A body we did not read would be parsed as the next request on a kept-alive connection: drop it and close.
  if (error instanceof BodyTooLargeError || !req.complete) {
    res.setHeader('Connection', 'close');
    req.resume();
  }
  writeStatus(res, status);
}
