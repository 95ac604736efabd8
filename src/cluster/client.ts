import * as http from 'node:http';
import * as https from 'node:https';
import * as zlib from 'node:zlib';
import { ClusterError } from '../errors.js';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';
import { apiError, errorCode, isNotFound, KubeApiError, transportError, type RequestDescription } from './errors.js';
import { runExecPlugin, type ExecCredentialStatus, type ExecRunner } from './exec-credential.js';
import type { ClusterTarget } from './kubeconfig.js';
import { redactBody, redactHeaders, type RequestLog } from './request-log.js';
import { apiVersionOf, resourcePath, Resources, type ResourceRef } from './resources.js';
import { backoffDelay, defaultBackoff, parseRetryAfter, realClock, TokenBucket, type BackoffOptions, type Clock } from './throttle.js';

/** The metadata fields this tool reads or sets on any object. */
export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: Array<Record<string, unknown>>;
  finalizers?: string[];
  [key: string]: unknown;
}

/** Any Kubernetes object, untyped beyond its envelope (verbs narrow `spec`/`status` themselves). */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  [key: string]: unknown;
}

/** One page of a paginated list. */
export interface ListPage<T extends KubeObject = KubeObject> {
  items: T[];
  /** The list's resourceVersion (consistent across pages of one listing). */
  resourceVersion?: string;
  /** Continue token for the next page; undefined on the last page. */
  continue?: string;
  /** The server's estimate of items left after this page, when it reports one. */
  remainingItemCount?: number;
}

/** What and how to list; exactly one of `namespace`/`allNamespaces` applies to namespaced kinds. */
export interface ListOptions {
  /** Namespace to list in; defaults to the target's namespace. Ignored for cluster-scoped kinds. */
  namespace?: string;
  /** List across all namespaces (-A). */
  allNamespaces?: boolean;
  labelSelector?: string;
  fieldSelector?: string;
  /** Page size; defaults to the cluster's pageSize. 0 asks for everything in one response. */
  limit?: number;
}

/** Options of the write calls. */
export interface WriteOptions {
  /** Server-side dry run (`dryRun=All`): admission and validation run, nothing is stored. */
  dryRun?: boolean;
  /** Field validation; Strict (kubectl's default) makes unknown or duplicate fields an error instead of dropping them. */
  fieldValidation?: 'Strict' | 'Warn' | 'Ignore';
}

/** Options of server-side apply. */
export interface ApplyOptions extends WriteOptions {
  /** Take ownership of fields another manager owns instead of failing with a conflict. */
  force?: boolean;
  /** Defaults to `kubectl-trainjob`. */
  fieldManager?: string;
  /** Namespace for namespaced objects whose metadata has none; defaults to the target's namespace. */
  namespace?: string;
}

/** Options of delete: preconditions make the delete fail with 409 if the object was replaced or changed. */
export interface DeleteOptions {
  uid?: string;
  resourceVersion?: string;
  propagationPolicy?: 'Foreground' | 'Background' | 'Orphan';
  dryRun?: boolean;
}

/** An access question for SelfSubjectAccessReview. */
export interface AccessQuery {
  verb: string;
  group: string;
  resource: string;
  namespace?: string;
  name?: string;
  subresource?: string;
}

/** The answer of a SelfSubjectAccessReview. */
export interface AccessResult {
  allowed: boolean;
  denied?: boolean;
  reason?: string;
}

/** The identity the server sees (SelfSubjectReview): useful to show who the tool acts as and to check impersonation. */
export interface UserInfo {
  username: string;
  uid?: string;
  groups: string[];
}

/** One entry of an API group-version's discovery document. */
export interface APIResource {
  name: string;
  singularName?: string;
  namespaced: boolean;
  kind: string;
  verbs: string[];
  shortNames?: string[];
}

/** Counts of HTTP requests sent (retries included), by verb; benchmarks report them. */
export interface RequestStats {
  total: number;
  byVerb: Record<string, number>;
  retries: number;
  /** Milliseconds spent waiting for the client-side rate limiter. */
  throttledMs: number;
}

/** Tuning of the client: rate limit, page size, retries and (for tests) the clock. */
export interface ClientOptions {
  /** Sustained requests per second (client-side); 0 disables the limiter. Default 50. */
  qps?: number;
  /** Requests allowed in a burst above qps. Default 100. */
  burst?: number;
  /** Default page size of list(). Default 500. */
  pageSize?: number;
  backoff?: BackoffOptions;
  clock?: Clock;
  /** kubectl's -v: request lines at 6+, headers and bodies (credentials redacted) at 8+. */
  log?: RequestLog;
  /** Environment an exec credential plugin inherits (the process's). */
  env?: NodeJS.ProcessEnv;
  /** Starts exec credential plugins (tests substitute it). */
  execRunner?: ExecRunner;
}

/** client-side limits like odh-cli's defaults (client-go's own are 5/10, too slow for a cluster-wide scan). */
export const DEFAULT_QPS = 50;
/** Default burst of the client-side rate limiter. */
export const DEFAULT_BURST = 100;
/** Default list page size (kubectl uses 500 too). */
export const DEFAULT_PAGE_SIZE = 500;
/** The field manager of every write, so server-side apply ownership is attributable. */
export const FIELD_MANAGER = TOOL_NAME;

interface Call {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT';
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  contentType?: string;
  /** Safe to resend after a reset, 5xx or timeout (GET, LIST, apply). */
  idempotent: boolean;
  describe: RequestDescription;
}

interface Answer {
  statusCode: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** Error raised by our own per-request timer, so it can be told apart from socket-level timeouts. */
class RequestTimeout extends Error {
  readonly code = 'ETIMEDOUT_REQUEST';
}

/**
 * A connection to one API server: the small typed API the verbs use. Every request goes through one
 * rate limiter, carries impersonation headers, honours --request-timeout and retries transient failures.
 */
export class Cluster {
  /** The resolved connection target (context, server, namespace, ...). */
  readonly target: ClusterTarget;
  /** Default page size of list(). */
  readonly pageSize: number;
  private readonly bucket: TokenBucket;
  private readonly backoff: BackoffOptions;
  /** The clock of the rate limiter, the backoff and callers that wait between requests (tests inject a fake one). */
  readonly clock: Clock;
  private readonly counts: Record<string, number> = {};
  private retryCount = 0;
  private agent: http.Agent | undefined;
  private staticAuth: https.RequestOptions | undefined;
  private readonly log: RequestLog | undefined;
  private readonly env: NodeJS.ProcessEnv;
  private readonly execRunner: ExecRunner | undefined;
  private execCredential: Promise<ExecCredentialStatus> | undefined;

  constructor(target: ClusterTarget, opts: ClientOptions = {}) {
    this.target = target;
    this.log = opts.log && opts.log.verbosity >= 6 ? opts.log : undefined;
    this.env = opts.env ?? {};
    this.execRunner = opts.execRunner;
    this.pageSize = opts.pageSize ?? DEFAULT_PAGE_SIZE;
    this.clock = opts.clock ?? realClock;
    this.bucket = new TokenBucket(opts.qps ?? DEFAULT_QPS, opts.burst ?? DEFAULT_BURST, this.clock);
    this.backoff = opts.backoff ?? defaultBackoff;
  }

  /** The field manager of every write: --field-manager, else kubectl-trainjob. */
  get fieldManager(): string {
    return this.target.fieldManager ?? FIELD_MANAGER;
  }

  /** The namespace used when a call gives none: -n, else the context's, else "default". */
  get namespace(): string {
    return this.target.namespace;
  }

  /** Reads one object; throws a NotFound KubeApiError when it does not exist. */
  async get<T extends KubeObject = KubeObject>(ref: ResourceRef, name: string, namespace?: string): Promise<T> {
    const ns = this.ns(ref, namespace);
    const obj = await this.call<T>({ method: 'GET', path: resourcePath(ref, ns, name), idempotent: true, describe: this.describe('get', ref, name, ns) });
    return obj;
  }

  /** Reads one object, or returns undefined when it does not exist (other errors still throw). */
  async tryGet<T extends KubeObject = KubeObject>(ref: ResourceRef, name: string, namespace?: string): Promise<T | undefined> {
    try {
      return await this.get<T>(ref, name, namespace);
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  /** Lists objects page by page (limit/continue), yielding each page as it arrives. */
  async *list<T extends KubeObject = KubeObject>(ref: ResourceRef, opts: ListOptions = {}): AsyncGenerator<ListPage<T>> {
    const ns = ref.namespaced && !opts.allNamespaces ? (opts.namespace ?? this.target.namespace) : undefined;
    const limit = opts.limit ?? this.pageSize;
    let cont: string | undefined;
    do {
      const res = await this.call<{ metadata?: { continue?: string; resourceVersion?: string; remainingItemCount?: number }; items?: T[] }>({
        method: 'GET',
        path: resourcePath(ref, ns),
        query: { limit: limit > 0 ? limit : undefined, continue: cont, labelSelector: opts.labelSelector, fieldSelector: opts.fieldSelector },
        idempotent: true,
        describe: this.describe('list', ref, undefined, ns),
      });
      // Items of a list carry no apiVersion/kind; fill them in so each object can be written back as is.
      const items = (res.items ?? []).map((o) => ({ apiVersion: apiVersionOf(ref), kind: ref.kind, ...o }));
      cont = res.metadata?.continue || undefined;
      yield {
        items,
        ...(res.metadata?.resourceVersion ? { resourceVersion: res.metadata.resourceVersion } : {}),
        ...(cont ? { continue: cont } : {}),
        ...(res.metadata?.remainingItemCount !== undefined ? { remainingItemCount: res.metadata.remainingItemCount } : {}),
      };
    } while (cont);
  }

  /** Lists every page and returns all items. */
  async listAll<T extends KubeObject = KubeObject>(ref: ResourceRef, opts: ListOptions = {}): Promise<T[]> {
    const all: T[] = [];
    for await (const page of this.list<T>(ref, opts)) all.push(...page.items);
    return all;
  }

  /** Creates an object (POST); fails with AlreadyExists if the name is taken. */
  async create<T extends KubeObject = KubeObject>(ref: ResourceRef, obj: KubeObject, opts: WriteOptions & { namespace?: string } = {}): Promise<T> {
    const ns = this.ns(ref, obj.metadata?.namespace ?? opts.namespace);
    const body = { apiVersion: apiVersionOf(ref), kind: ref.kind, ...obj };
    return this.call<T>({
      method: 'POST',
      path: resourcePath(ref, ns),
      query: { fieldManager: this.fieldManager, dryRun: opts.dryRun ? 'All' : undefined, fieldValidation: opts.fieldValidation ?? 'Strict' },
      body,
      // A create that timed out may have been stored; resending could fail with AlreadyExists or duplicate a generateName.
      idempotent: false,
      describe: this.describe('create', ref, obj.metadata?.name, ns),
    });
  }

  /** Server-side apply (PATCH application/apply-patch+yaml) as field manager kubectl-trainjob. */
  async apply<T extends KubeObject = KubeObject>(ref: ResourceRef, obj: KubeObject, opts: ApplyOptions = {}): Promise<T> {
    const name = obj.metadata?.name;
    if (!name) throw new TypeError(`apply needs metadata.name on the ${ref.kind}`);
    const ns = this.ns(ref, obj.metadata?.namespace ?? opts.namespace);
    const body = { apiVersion: apiVersionOf(ref), kind: ref.kind, ...obj };
    return this.call<T>({
      method: 'PATCH',
      path: resourcePath(ref, ns, name),
      query: {
        fieldManager: opts.fieldManager ?? this.fieldManager,
        force: opts.force ? true : undefined,
        dryRun: opts.dryRun ? 'All' : undefined,
        fieldValidation: opts.fieldValidation ?? 'Strict',
      },
      body,
      contentType: 'application/apply-patch+yaml', // JSON is YAML, so the JSON body is a valid apply patch
      idempotent: true,
      describe: this.describe('patch', ref, name, ns),
    });
  }

  /** Deletes an object; with uid/resourceVersion preconditions it fails (409) instead of deleting a replaced or changed object. */
  async delete(ref: ResourceRef, name: string, namespace?: string, opts: DeleteOptions = {}): Promise<KubeObject> {
    const ns = this.ns(ref, namespace);
    const preconditions = {
      ...(opts.uid ? { uid: opts.uid } : {}),
      ...(opts.resourceVersion ? { resourceVersion: opts.resourceVersion } : {}),
    };
    const body = {
      apiVersion: 'v1',
      kind: 'DeleteOptions',
      ...(Object.keys(preconditions).length > 0 ? { preconditions } : {}),
      ...(opts.propagationPolicy ? { propagationPolicy: opts.propagationPolicy } : {}),
      ...(opts.dryRun ? { dryRun: ['All'] } : {}),
    };
    return this.call<KubeObject>({
      method: 'DELETE',
      path: resourcePath(ref, ns, name),
      body,
      // A retried delete would 404 after a first attempt that succeeded silently; let the caller decide.
      idempotent: false,
      describe: this.describe('delete', ref, name, ns),
    });
  }

  /** Asks the server whether the current identity may do `verb` on a resource (SelfSubjectAccessReview). */
  async selfSubjectAccessReview(q: AccessQuery): Promise<AccessResult> {
    const review = await this.call<{ status?: AccessResult }>({
      method: 'POST',
      path: '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
      body: {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SelfSubjectAccessReview',
        spec: { resourceAttributes: { verb: q.verb, group: q.group, resource: q.resource, namespace: q.namespace, name: q.name, subresource: q.subresource } },
      },
      // A review creates nothing, so it is safe to resend.
      idempotent: true,
      describe: { verb: 'create', server: this.target.server, path: 'selfsubjectaccessreviews.authorization.k8s.io' },
    });
    const s = review.status ?? { allowed: false };
    return { allowed: s.allowed === true, ...(s.denied ? { denied: true } : {}), ...(s.reason ? { reason: s.reason } : {}) };
  }

  /** Returns the identity the server authenticated (after impersonation) via SelfSubjectReview. */
  async selfSubjectReview(): Promise<UserInfo> {
    const review = await this.call<{ status?: { userInfo?: { username?: string; uid?: string; groups?: string[] } } }>({
      method: 'POST',
      path: '/apis/authentication.k8s.io/v1/selfsubjectreviews',
      body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' },
      idempotent: true,
      describe: { verb: 'create', server: this.target.server, path: 'selfsubjectreviews.authentication.k8s.io' },
    });
    const u = review.status?.userInfo ?? {};
    return { username: u.username ?? '', ...(u.uid ? { uid: u.uid } : {}), groups: u.groups ?? [] };
  }

  /** The server's /version (gitVersion etc.): information only; features come from discovery. */
  async serverVersion(): Promise<{ gitVersion: string; major?: string; minor?: string; platform?: string }> {
    return this.call({ method: 'GET', path: '/version', idempotent: true, describe: { verb: 'get', server: this.target.server, path: '/version' } });
  }

  /** Looks up a resource in the group-version's discovery document; undefined when the group-version or resource is not served. */
  async discoverResource(group: string, version: string, plural: string): Promise<APIResource | undefined> {
    const path = group === '' ? `/api/${version}` : `/apis/${group}/${version}`;
    try {
      const doc = await this.call<{ resources?: APIResource[] }>({ method: 'GET', path, idempotent: true, describe: { verb: 'get', server: this.target.server, path } });
      return doc.resources?.find((r) => r.name === plural);
    } catch (e) {
      if (e instanceof KubeApiError && e.statusCode === 404) return undefined;
      throw e;
    }
  }

  /** Reads a CustomResourceDefinition by name (e.g. trainjobs.trainer.kubeflow.org), or undefined when it is not installed. */
  async getCRD(name: string): Promise<KubeObject | undefined> {
    return this.tryGet(Resources.customresourcedefinitions, name);
  }

  /** GETs an arbitrary API path (e.g. /openapi/v3/...) with the same auth, limits and retries. */
  async getPath<T = unknown>(path: string, query?: Record<string, string>): Promise<T> {
    return this.call<T>({ method: 'GET', path, ...(query ? { query } : {}), idempotent: true, describe: { verb: 'get', server: this.target.server, path } });
  }

  /** Requests sent so far, by verb (retries included). */
  stats(): RequestStats {
    const total = Object.values(this.counts).reduce((a, b) => a + b, 0);
    return { total, byVerb: { ...this.counts }, retries: this.retryCount, throttledMs: Math.round(this.bucket.waitedMs) };
  }

  /** Closes idle keep-alive connections (the process can exit without it; tests call it to leave no handles). */
  close(): void {
    this.agent?.destroy();
    this.agent = undefined;
  }

  private ns(ref: ResourceRef, namespace: string | undefined): string | undefined {
    return ref.namespaced ? (namespace ?? this.target.namespace) : undefined;
  }

  private describe(verb: string, ref: ResourceRef, name: string | undefined, namespace: string | undefined): RequestDescription {
    return { verb, ref, server: this.target.server, ...(name !== undefined ? { name } : {}), ...(namespace !== undefined ? { namespace } : {}) };
  }

  /** Sends a call with rate limiting and retries, and returns the decoded JSON body or throws a mapped ClusterError. */
  private async call<T>(c: Call): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      await this.bucket.take();
      this.counts[c.describe.verb] = (this.counts[c.describe.verb] ?? 0) + 1;
      let answer: Answer;
      try {
        answer = await this.send(c);
      } catch (e) {
        // Credential problems (an exec plugin that failed or printed something else) are already clear errors.
        if (e instanceof ClusterError) throw e;
        const code = errorCode(e);
        // ECONNREFUSED is not retried: a server that is down stays down for the next second, and kubectl fails fast too.
        const transient = ['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ETIMEDOUT_REQUEST', 'EAI_AGAIN'].includes(code);
        if (transient && c.idempotent && attempt < this.backoff.retries) {
          await this.retryWait(attempt + 1);
          continue;
        }
        throw transportError(e, c.describe, this.target.requestTimeoutMs);
      }
      if (answer.statusCode < 400) {
        if (answer.body === '') return undefined as T;
        return JSON.parse(answer.body) as T;
      }
      if (attempt < this.backoff.retries && this.retryable(answer, c)) {
        await this.retryWait(attempt + 1, parseRetryAfter(first(answer.headers['retry-after'])));
        continue;
      }
      throw apiError(answer.statusCode, answer.body, c.describe);
    }
  }

  private retryable(a: Answer, c: Call): boolean {
    // 429 means the server did not process the request, so it is safe for every verb.
    if (a.statusCode === 429) return true;
    if (!c.idempotent || a.statusCode < 500 || a.statusCode === 501) return false;
    // A webhook that cannot be called, or an apply with undeclared fields (a 500 too), fails the same way on every attempt.
    return !/failed calling webhook|failed to create typed patch object/.test(a.body);
  }

  private async retryWait(attempt: number, retryAfterMs?: number): Promise<void> {
    this.retryCount++;
    await this.clock.sleep(backoffDelay(attempt, this.backoff, retryAfterMs));
  }

  /** Credentials and TLS material from the kubeconfig; recomputed per request only for exec/auth-provider users whose tokens expire. */
  private async authOptions(): Promise<https.RequestOptions> {
    if (this.staticAuth) return this.staticAuth;
    const opts: https.RequestOptions = {};
    await this.target.kubeConfig.applyToHTTPSOptions(opts);
    if (this.target.exec) {
      const cred = await this.execCredentials();
      if (cred.token) opts.headers = { ...(opts.headers as Record<string, string> | undefined), Authorization: `Bearer ${cred.token}` };
      if (cred.clientCertificateData) opts.cert = cred.clientCertificateData;
      if (cred.clientKeyData) opts.key = cred.clientKeyData;
      return opts;
    }
    const user = this.target.kubeConfig.getCurrentUser();
    if (!user?.exec && !user?.authProvider) this.staticAuth = opts;
    return opts;
  }

  /** The exec plugin's credentials, run once per process and again shortly before they expire. */
  private async execCredentials(): Promise<ExecCredentialStatus> {
    const plugin = this.target.exec!;
    if (this.execCredential) {
      const cached = await this.execCredential.catch(() => undefined);
      if (cached && (cached.expiresAt === undefined || cached.expiresAt - 10_000 > Date.now())) return cached;
    }
    this.execCredential = runExecPlugin(plugin, this.env, this.execRunner);
    return this.execCredential;
  }

  private async ensureAgent(auth: https.RequestOptions): Promise<http.Agent> {
    if (this.agent) return this.agent;
    const cluster = this.target.kubeConfig.getCurrentCluster();
    if (cluster?.proxyUrl && auth.agent instanceof http.Agent) {
      // client-node builds the right proxy agent (HTTP CONNECT or SOCKS) for proxy-url.
      this.agent = auth.agent;
    } else if (this.target.server.startsWith('http://')) {
      this.agent = new http.Agent({ keepAlive: true, maxSockets: 32 });
    } else {
      // Our own keep-alive agent: client-node's is not keep-alive, and a TLS handshake per request doubles the cost of a scan.
      this.agent = new https.Agent({
        keepAlive: true,
        maxSockets: 32,
        ...(auth.ca ? { ca: auth.ca } : {}),
        ...(auth.cert ? { cert: auth.cert } : {}),
        ...(auth.key ? { key: auth.key } : {}),
        ...(auth.rejectUnauthorized !== undefined ? { rejectUnauthorized: auth.rejectUnauthorized } : {}),
        ...(auth.servername ? { servername: auth.servername } : {}),
      });
    }
    return this.agent;
  }

  private async send(c: Call): Promise<Answer> {
    const auth = await this.authOptions();
    const agent = await this.ensureAgent(auth);
    const url = new URL(this.target.server);
    // A server URL may carry a path prefix (e.g. Rancher's /k8s/clusters/c-xxx).
    const prefix = url.pathname.replace(/\/+$/, '');
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(c.query ?? {})) if (v !== undefined) qs.set(k, String(v));
    const search = qs.size > 0 ? `?${qs.toString()}` : '';

    const headers: http.OutgoingHttpHeaders = {
      Accept: 'application/json',
      ...(this.target.disableCompression ? {} : { 'Accept-Encoding': 'gzip' }),
      'User-Agent': `${TOOL_NAME}/${TOOL_VERSION}`,
    };
    for (const [k, v] of Object.entries(auth.headers ?? {})) {
      // Token files often end with a newline, which is not a valid header character.
      if (typeof v === 'string') headers[k] = v.trim();
    }
    const imp = this.target.impersonate;
    if (imp) {
      headers['Impersonate-User'] = imp.user;
      // An array makes Node send one Impersonate-Group header per group, which is what the API server expects.
      if (imp.groups.length > 0) headers['Impersonate-Group'] = imp.groups;
      if (imp.uid) headers['Impersonate-Uid'] = imp.uid;
    }
    let payload: Buffer | undefined;
    if (c.body !== undefined) {
      payload = Buffer.from(JSON.stringify(c.body));
      headers['Content-Type'] = c.contentType ?? 'application/json';
      headers['Content-Length'] = payload.length;
    }
    const lib = url.protocol === 'http:' ? http : https;
    const timeoutMs = this.target.requestTimeoutMs;
    const log = this.log;
    const fullUrl = `${url.protocol}//${url.host}${prefix}${c.path}${search}`;
    const started = performance.now();
    if (log && log.verbosity >= 8) {
      log.write(`Request: ${c.method} ${fullUrl}`);
      for (const line of redactHeaders(headers)) log.write(`Request Header: ${line}`);
      if (payload) log.write(`Request Body: ${redactBody(payload.toString('utf8'), log.verbosity)}`);
    }
    const logDone = (status: string): void => {
      if (log) log.write(`${c.method} ${fullUrl} ${status} in ${Math.round(performance.now() - started)} milliseconds`);
    };

    return new Promise<Answer>((resolve, reject) => {
      const req = lib.request(
        {
          protocol: url.protocol,
          hostname: url.hostname.replace(/^\[|\]$/g, ''),
          port: url.port || (url.protocol === 'http:' ? 80 : 443),
          method: c.method,
          path: `${prefix}${c.path}${search}`,
          headers,
          agent,
          ...(typeof auth.auth === 'string' ? { auth: auth.auth } : {}),
        },
        (res) => {
          const chunks: Buffer[] = [];
          const stream = res.headers['content-encoding'] === 'gzip' ? res.pipe(zlib.createGunzip()) : res;
          stream.on('data', (d: Buffer) => chunks.push(d));
          stream.on('error', (e) => fail(e));
          stream.on('end', () => {
            clearTimeout(timer);
            const body = Buffer.concat(chunks).toString('utf8');
            logDone(`${res.statusCode ?? 0} ${res.statusMessage ?? ''}`.trim());
            if (log && log.verbosity >= 8 && body !== '') log.write(`Response Body: ${redactBody(body, log.verbosity)}`);
            resolve({ statusCode: res.statusCode ?? 0, headers: res.headers, body });
          });
        },
      );
      const fail = (e: unknown): void => {
        clearTimeout(timer);
        logDone(`(failed: ${errorCode(e) || (e as Error)?.message || 'error'})`);
        reject(e);
      };
      // The timer covers connect, headers and body, like kubectl's --request-timeout.
      const timer = timeoutMs > 0 ? setTimeout(() => req.destroy(new RequestTimeout(`request timed out after ${timeoutMs}ms`)), timeoutMs) : undefined;
      req.on('error', fail);
      req.end(payload);
    });
  }
}

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}
