// kubectl's -v request logging (client-go's round_trippers): one line per request at 6+, request headers and
// request/response bodies at 8+ (truncated to 10240 characters below 9). Credentials never reach the log:
// Authorization headers, tokens, passwords, client keys and certificates, Secret data, JWTs and PEM private
// keys are replaced by <masked> however deep they sit in a body.

/** Where request lines go, and how much to say (kubectl's -v level). */
export interface RequestLog {
  verbosity: number;
  write(line: string): void;
}

const MASK = '<masked>';
/** Body fields that hold credentials (kubeconfig, ExecCredential, TokenRequest, OIDC shapes). */
const SECRET_KEYS = new Set(
  ['token', 'access_token', 'accesstoken', 'id-token', 'id_token', 'idtoken', 'refresh-token', 'refresh_token', 'refreshtoken', 'password', 'client-key-data', 'clientkeydata', 'client-certificate-data', 'clientcertificatedata', 'client-secret', 'client_secret', 'clientsecret'],
);
/** Env var names whose value is a credential (an env list of a pod template in a request or response body). */
const SECRET_ENV = /TOKEN|PASSWORD|PASSWD|SECRET|CREDENTIAL|API_?KEY|PRIVATE_?KEY|ACCESS_?KEY/i;
const PEM_KEY = /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g;
const JWT = /\beyJ[\w-]{5,}\.[\w-]{5,}\.[\w-]{5,}/g;
const BEARER = /\b(Bearer|Basic)\s+[\w\-.~+/=]+/gi;

/** Headers as `Name: value` lines, credentials masked. */
export function redactHeaders(headers: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const [name, value] of Object.entries(headers)) {
    const values = Array.isArray(value) ? value.map(String) : [String(value)];
    for (const v of values) {
      if (/^(authorization|proxy-authorization|cookie)$/i.test(name)) out.push(`${name}: ${v.replace(/^(\w+)\s+.*$/, `$1 ${MASK}`).replace(/^[^\s]+$/, MASK)}`);
      else out.push(`${name}: ${v}`);
    }
  }
  return out;
}

/** A request or response body with credentials masked, truncated like client-go below -v=9. */
export function redactBody(body: string, verbosity: number): string {
  let text: string;
  try {
    text = JSON.stringify(redactValue(JSON.parse(body), false));
  } catch {
    text = redactText(body);
  }
  return verbosity < 9 && text.length > 10240 ? `${text.slice(0, 10240)} [truncated ${text.length - 10240} chars]` : text;
}

function redactText(s: string): string {
  return s.replace(PEM_KEY, MASK).replace(JWT, MASK).replace(BEARER, `$1 ${MASK}`);
}

function redactValue(v: unknown, secretData: boolean): unknown {
  if (typeof v === 'string') return secretData ? MASK : redactText(v);
  if (Array.isArray(v)) return v.map((x) => redactValue(x, secretData));
  if (v === null || typeof v !== 'object') return secretData && v !== null ? MASK : v;
  const o = v as Record<string, unknown>;
  const isSecret = o.kind === 'Secret';
  const envEntry = typeof o.name === 'string' && 'value' in o && SECRET_ENV.test(o.name);
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(o)) {
    if (SECRET_KEYS.has(k.toLowerCase()) && x !== null && x !== '') out[k] = MASK;
    else if (isSecret && (k === 'data' || k === 'stringData')) out[k] = redactValue(x, true);
    else if (envEntry && k === 'value') out[k] = MASK;
    else out[k] = redactValue(x, secretData);
  }
  return out;
}
