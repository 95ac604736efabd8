// A minimal HTTPS client for the Kubernetes API, used by the control-plane harness.
//
// The harness needs raw status codes, dry-run, server-side apply and arbitrary paths (readyz,
// discovery, CRDs), and it must run before any kubeconfig exists; a dozen lines over node:https do
// all of that without guessing what a generated client does with errors.
import { KubeConfig } from '@kubernetes/client-node';
import * as https from 'node:https';

/** Where and as whom a KubeClient talks to an apiserver. */
export interface KubeEndpoint {
  /** Base URL, e.g. https://127.0.0.1:43211. */
  server: string;
  /** PEM CA bundle that signed the serving certificate. */
  ca?: string | Buffer;
  /** PEM client certificate and key (x509 client-cert authentication). */
  cert?: string | Buffer;
  key?: string | Buffer;
  /** Extra headers sent with every request (e.g. a bearer token). */
  headers?: Record<string, string>;
  /** Agent built from a kubeconfig; overrides ca/cert/key. */
  agent?: https.Agent;
}

/** Options for one API request. */
export interface KubeRequestOptions {
  /** JSON-serialisable body, or a string sent as-is. */
  body?: unknown;
  /** Content-Type of the body; defaults to application/json. */
  contentType?: string;
  /** Query parameters, e.g. { dryRun: 'All', fieldManager: 'x' }. */
  query?: Record<string, string | undefined>;
  /** Extra headers for this request only. */
  headers?: Record<string, string>;
  /** Give up after this many milliseconds (default 30 s). */
  timeoutMs?: number;
}

/** The raw outcome of one API request. */
export interface KubeResponse<T = any> {
  status: number;
  /** Parsed JSON when the server sent JSON, else undefined. */
  body: T;
  /** The body as text (for error messages and non-JSON endpoints such as /readyz). */
  text: string;
  /** Response headers (lower-case names), e.g. `warning` for dropped unknown fields. */
  headers: Record<string, string | string[] | undefined>;
}

/** An error for a non-2xx answer, carrying the apiserver's Status object when there is one. */
export class KubeApiError extends Error {
  readonly status: number;
  readonly reason?: string;
  readonly body: unknown;
  constructor(method: string, path: string, res: KubeResponse) {
    const message = (res.body as { message?: string } | undefined)?.message ?? res.text.slice(0, 500);
    super(`${method} ${path} -> ${res.status}: ${message}`);
    this.status = res.status;
    this.reason = (res.body as { reason?: string } | undefined)?.reason;
    this.body = res.body;
  }
}

/** A small Kubernetes API client over node:https (no retries, no caching). */
export class KubeClient {
  readonly endpoint: KubeEndpoint;
  private readonly agent: https.Agent;

  constructor(endpoint: KubeEndpoint) {
    this.endpoint = endpoint;
    this.agent = endpoint.agent ?? new https.Agent({ ca: endpoint.ca, cert: endpoint.cert, key: endpoint.key, keepAlive: true });
  }

  /** Builds a client from a kubeconfig file (its current context), honouring certs and tokens. */
  static async fromKubeconfig(file: string): Promise<KubeClient> {
    const kc = new KubeConfig();
    kc.loadFromFile(file);
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new Error(`${file}: no current cluster`);
    const opts: https.RequestOptions = {};
    await kc.applyToHTTPSOptions(opts);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(opts.headers ?? {})) if (typeof v === 'string') headers[k] = v;
    return new KubeClient({ server: cluster.server, headers, agent: opts.agent as https.Agent });
  }

  /** Sends one request and resolves with whatever the server answered (never throws on HTTP status). */
  request<T = any>(method: string, path: string, opts: KubeRequestOptions = {}): Promise<KubeResponse<T>> {
    const url = new URL(path, this.endpoint.server);
    for (const [k, v] of Object.entries(opts.query ?? {})) if (v !== undefined) url.searchParams.set(k, v);
    const payload = opts.body === undefined ? undefined
      : typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
    const headers: Record<string, string> = { Accept: 'application/json', ...this.endpoint.headers, ...opts.headers };
    if (payload !== undefined) {
      headers['Content-Type'] = opts.contentType ?? 'application/json';
      headers['Content-Length'] = String(Buffer.byteLength(payload));
    }
    return new Promise((resolve, reject) => {
      const req = https.request(url, { method, headers, agent: this.agent, timeout: opts.timeoutMs ?? 30_000 }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: any;
          if ((res.headers['content-type'] ?? '').includes('json')) {
            try { body = JSON.parse(text); } catch { body = undefined; }
          }
          resolve({ status: res.statusCode ?? 0, body, text, headers: res.headers });
        });
      });
      req.on('timeout', () => req.destroy(new Error(`${method} ${url.pathname}: timed out`)));
      req.on('error', reject);
      if (payload !== undefined) req.write(payload);
      req.end();
    });
  }

  /** Like request, but throws KubeApiError unless the status is 2xx. */
  async ok<T = any>(method: string, path: string, opts: KubeRequestOptions = {}): Promise<T> {
    const res = await this.request<T>(method, path, opts);
    if (res.status < 200 || res.status >= 300) throw new KubeApiError(method, path, res);
    return res.body;
  }

  /** Closes idle keep-alive sockets so a finished test process can exit. */
  close(): void {
    this.agent.destroy();
  }
}
