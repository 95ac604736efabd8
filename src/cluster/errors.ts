import { ClusterError } from '../errors.js';
import type { ResourceRef } from './resources.js';

/** A `metav1.Status` cause: one field-level reason for an Invalid or BadRequest response. */
export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

/** The parts of a `metav1.Status` failure body this tool reads. */
export interface ApiStatus {
  kind?: string;
  status?: string;
  message?: string;
  reason?: string;
  code?: number;
  details?: { name?: string; group?: string; kind?: string; causes?: StatusCause[]; retryAfterSeconds?: number };
}

/** What was being attempted when a request failed, so the message can name the object. */
export interface RequestDescription {
  /** Kubernetes verb: get, list, create, patch (apply), delete, ... */
  verb: string;
  ref?: ResourceRef;
  name?: string;
  namespace?: string;
  /** The API server URL, for transport errors. */
  server: string;
  /** The request path, used when there is no resource reference (discovery, /version). */
  path?: string;
}

/** The API server answered with an error status; carries the HTTP code and Status reason so callers can branch on them. */
export class KubeApiError extends ClusterError {
  /** HTTP status code (403, 404, 409, 422, ...). */
  readonly statusCode: number;
  /** The Status reason (NotFound, AlreadyExists, Conflict, Invalid, Forbidden, ...) or "" when the body was not a Status. */
  readonly reason: string;
  /** Field causes from the Status details (for Invalid). */
  readonly causes: StatusCause[];
  /** True when the 404 means the resource type itself is not served (CRD missing), not a missing object. */
  readonly resourceTypeMissing: boolean;
  constructor(message: string, hint: string | undefined, statusCode: number, reason: string, causes: StatusCause[], resourceTypeMissing: boolean) {
    super(message, hint);
    this.statusCode = statusCode;
    this.reason = reason;
    this.causes = causes;
    this.resourceTypeMissing = resourceTypeMissing;
  }
}

/** The request never got an HTTP answer (connection refused, TLS failure, timeout, reset); `code` is the Node error code. */
export class TransportError extends ClusterError {
  /** The Node/OpenSSL error code, e.g. ECONNREFUSED, ETIMEDOUT, SELF_SIGNED_CERT_IN_CHAIN. */
  readonly code: string;
  constructor(message: string, hint: string, code: string) {
    super(message, hint);
    this.code = code;
  }
}

/** True when the error is a 404 for an object (not for a missing resource type). */
export function isNotFound(e: unknown): e is KubeApiError {
  return e instanceof KubeApiError && e.statusCode === 404 && !e.resourceTypeMissing;
}

/** True when the error says the resource type (CRD) is not served by the cluster. */
export function isResourceTypeMissing(e: unknown): e is KubeApiError {
  return e instanceof KubeApiError && e.resourceTypeMissing;
}

/** True for 409 AlreadyExists (create of an existing name). */
export function isAlreadyExists(e: unknown): e is KubeApiError {
  return e instanceof KubeApiError && e.statusCode === 409 && e.reason === 'AlreadyExists';
}

/** True for 409 Conflict (stale resourceVersion, failed precondition, or a server-side-apply field conflict). */
export function isConflict(e: unknown): e is KubeApiError {
  return e instanceof KubeApiError && e.statusCode === 409 && e.reason !== 'AlreadyExists';
}

/** True for 403 Forbidden. */
export function isForbidden(e: unknown): e is KubeApiError {
  return e instanceof KubeApiError && e.statusCode === 403;
}

/** `pytorchjobs.kubeflow.org`, or `configmaps` for the core group: the name kubectl and RBAC use for a resource. */
export function qualifiedResource(ref: ResourceRef): string {
  return ref.group === '' ? ref.plural : `${ref.plural}.${ref.group}`;
}

function objectLabel(d: RequestDescription): string {
  if (!d.ref) return d.path ?? 'the server';
  const what = d.name ? `${qualifiedResource(d.ref)} "${d.name}"` : qualifiedResource(d.ref);
  if (d.ref.namespaced && d.namespace) return `${what} in namespace "${d.namespace}"`;
  if (d.ref.namespaced && d.verb === 'list') return `${what} in all namespaces`;
  return what;
}

function canI(d: RequestDescription): string {
  const resource = d.ref ? qualifiedResource(d.ref) : '';
  const ns = d.ref?.namespaced ? (d.namespace ? ` -n ${d.namespace}` : ' --all-namespaces') : '';
  const name = d.name && d.verb !== 'create' ? `/${d.name}` : '';
  return `kubectl auth can-i ${d.verb} ${resource}${name}${ns}`;
}

/** Turns an HTTP error answer into a KubeApiError whose message names the verb and object and whose hint says what to do. */
export function apiError(statusCode: number, body: string, d: RequestDescription): KubeApiError {
  let status: ApiStatus = {};
  try {
    const parsed = JSON.parse(body) as unknown;
    if (parsed && typeof parsed === 'object' && (parsed as ApiStatus).kind === 'Status') status = parsed as ApiStatus;
  } catch {
    // Not JSON: e.g. "404 page not found" from the API server's mux for an unknown group.
  }
  const reason = status.reason ?? '';
  const causes = status.details?.causes ?? [];
  const serverMessage = status.message ?? body.trim().slice(0, 300);
  const target = objectLabel(d);
  const mk = (message: string, hint: string | undefined, typeMissing = false): KubeApiError =>
    new KubeApiError(message, hint, statusCode, reason, causes, typeMissing);

  // Admission (webhooks and ValidatingAdmissionPolicies) can answer with any code; the message says who refused.
  const webhook = /admission webhook "([^"]+)" denied the request/.exec(serverMessage);
  if (webhook) {
    return mk(`cannot ${d.verb} ${target}: ${serverMessage}`, `The admission webhook ${webhook[1]} rejected the object; fix the fields it names.`);
  }
  if (/ValidatingAdmissionPolicy '[^']+'.* denied request/.test(serverMessage)) {
    return mk(`cannot ${d.verb} ${target}: ${serverMessage}`, 'A ValidatingAdmissionPolicy rejected the object; fix the fields it names or ask the cluster admin.');
  }
  const failedCall = /failed calling webhook "([^"]+)"/.exec(serverMessage);
  if (failedCall) {
    return mk(
      `cannot ${d.verb} ${target}: the admission webhook ${failedCall[1]} is unavailable: ${serverMessage}`,
      'The webhook\'s controller is down or unreachable and its failurePolicy is Fail; run "kubectl trainjob readiness" to find the controller and check its pods.',
    );
  }

  // Server-side apply reports undeclared fields as a 500; it is the caller's object, not the server, that is wrong.
  const undeclared = /failed to create typed patch object[^:]*: (.*field not declared in schema.*)$/s.exec(serverMessage);
  if (undeclared) {
    const fields = undeclared[1]!.split('\n').map((l) => l.replace(/: field not declared in schema\s*$/, '').trim()).filter(Boolean);
    return mk(
      `cannot ${d.verb} ${target}: the schema of the installed CRD does not declare ${fields.join(', ')}`,
      'The object was built for another API version; check the Trainer version the cluster runs (kubectl trainjob readiness) and the --target you converted for.',
    );
  }

  switch (statusCode) {
    case 401:
      return mk(`credentials rejected by ${d.server} (401 Unauthorized) while trying to ${d.verb} ${target}`, 'Your token or client certificate is invalid or expired; refresh your kubeconfig (log in again) and retry.');
    case 403:
      return mk(`forbidden: cannot ${d.verb} ${target}: ${serverMessage}`, `Ask a cluster admin for RBAC permission; check it with: ${canI(d)}`);
    case 404: {
      // An object 404 is a Status naming the object in details; a 404 for the type itself names nothing
      // (or is not even a Status: the mux answers "404 page not found" for an unknown group).
      const missingName = status.details?.name;
      if (missingName !== undefined && status.details?.kind === 'namespaces' && missingName === d.namespace && d.ref?.plural !== 'namespaces') {
        return mk(`namespace "${missingName}" not found (while trying to ${d.verb} ${target})`, 'Check the -n/--namespace value or the namespace of the context (kubectl get namespaces).');
      }
      if (missingName !== undefined) return mk(`${target} not found`, undefined);
      if (d.ref) {
        return mk(`the server doesn't have a resource type "${qualifiedResource(d.ref)}"`, d.ref.missingHint ?? `Is the CRD for ${qualifiedResource(d.ref)} (${d.ref.group}/${d.ref.version}) installed?`, true);
      }
      return mk(`${target} not found on ${d.server}`, undefined, true);
    }
    case 409:
      if (reason === 'AlreadyExists') return mk(`cannot ${d.verb} ${target}: it already exists`, 'Delete it first, or use apply to update it.');
      if (causes.some((c) => c.reason === 'FieldManagerConflict')) {
        const fields = causes.map((c) => c.field ?? c.message).filter(Boolean).join(', ');
        return mk(`cannot ${d.verb} ${target}: fields are owned by another manager (${fields})`, 'Re-run with --force-conflicts to take ownership, or leave those fields alone.');
      }
      return mk(`cannot ${d.verb} ${target}: conflict: ${serverMessage}`, 'The object changed since it was read; read it again and retry.');
    case 410:
      return mk(`cannot ${d.verb} ${target}: ${serverMessage}`, 'The list continuation expired because the listing took too long; run the command again.');
    case 400:
    case 422: {
      const list = causes.map((c) => `  - ${c.field ? `${c.field}: ` : ''}${c.message ?? c.reason ?? ''}`).join('\n');
      const what = statusCode === 422 ? 'is invalid' : 'was rejected (bad request)';
      return mk(`${target} ${what}: ${serverMessage}${list ? `\n${list}` : ''}`, statusCode === 422 ? 'Fix the listed fields; "kubectl explain" shows the schema the server accepts.' : undefined);
    }
    case 429:
      return mk(`the server is throttling requests (429) while trying to ${d.verb} ${target}: ${serverMessage}`, 'Retry later or lower --qps.');
    case 504:
    case 408:
      return mk(`the server timed out while trying to ${d.verb} ${target}: ${serverMessage}`, 'Retry, or raise --request-timeout.');
    default:
      return mk(`cannot ${d.verb} ${target}: ${statusCode} ${reason || 'error'}: ${serverMessage}`, statusCode >= 500 ? 'The API server reported an internal error; check the control plane and retry.' : undefined);
  }
}

/** The error codes Node and OpenSSL use for certificate verification failures. */
const TLS_CODES = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
  'ERR_SSL_WRONG_VERSION_NUMBER',
]);

/** Finds the most specific error code on an error or its cause chain (fetch wraps the socket error in `.cause`). */
export function errorCode(e: unknown): string {
  let cur: unknown = e;
  for (let i = 0; i < 5 && cur && typeof cur === 'object'; i++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string' && code !== 'UND_ERR_SOCKET') return code;
    cur = (cur as { cause?: unknown }).cause;
  }
  return '';
}

/** Maps a failure that produced no HTTP answer into a TransportError saying which server and what to check. */
export function transportError(e: unknown, d: RequestDescription, timeoutMs?: number): TransportError {
  const code = errorCode(e) || 'UNKNOWN';
  // Duck-typed: errors from Node core can come from another realm (Jest's VM), where instanceof Error fails.
  const message = (e as { message?: unknown } | undefined)?.message;
  const detail = typeof message === 'string' ? message : String(e);
  const target = objectLabel(d);
  if (code === 'ETIMEDOUT_REQUEST') {
    return new TransportError(`request to ${d.server} timed out after ${timeoutMs}ms while trying to ${d.verb} ${target}`, 'Raise --request-timeout, or check that the cluster is reachable and not overloaded.', code);
  }
  if (TLS_CODES.has(code) || code.startsWith('ERR_TLS') || code.startsWith('ERR_SSL')) {
    return new TransportError(
      `TLS verification of ${d.server} failed: ${code}: ${detail}`,
      'The certificate-authority in your kubeconfig does not match the server\'s certificate; refresh the kubeconfig (or, only for a test cluster, set insecure-skip-tls-verify).',
      code,
    );
  }
  if (['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE'].includes(code)) {
    return new TransportError(
      `is the cluster reachable? server ${d.server}: ${detail.includes(code) ? detail : `${code}: ${detail}`}`,
      'Check the server URL in your kubeconfig, your VPN/network, and that the API server is running (kubectl cluster-info).',
      code,
    );
  }
  return new TransportError(`request to ${d.server} failed while trying to ${d.verb} ${target}: ${detail}`, 'Check that the cluster is reachable and that the kubeconfig is current.', code);
}
