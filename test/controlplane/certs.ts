// Throw-away PKI for the test control plane, made with the openssl CLI.
//
// Mirrors controller-runtime envtest (pkg/internal/testing/certs/tinyca.go): three CAs (serving,
// client-cert auth, service-account signer), ECDSA P-256 keys, one week of validity. openssl is used
// instead of an npm PKI library because Jest workers must be able to mint user certificates from the
// files alone, and openssl is already on every machine that runs the suite.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

/** File names of the control plane's PKI inside its cert directory. */
export const CertFiles = {
  servingCa: 'serving-ca.crt',
  servingCaKey: 'serving-ca.key',
  apiserverCert: 'apiserver.crt',
  apiserverKey: 'apiserver.key',
  clientCa: 'client-cert-auth-ca.crt',
  clientCaKey: 'client-cert-auth-ca.key',
  saSignerCert: 'sa-signer.crt',
  saSignerKey: 'sa-signer.key',
} as const;

/** A PEM client certificate and key for one user. */
export interface ClientCert {
  certPem: string;
  keyPem: string;
}

const VALIDITY_DAYS = '7';
const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

function openssl(args: string[], cwd: string): void {
  try {
    execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (err) {
    const stderr = (err as { stderr?: Buffer }).stderr?.toString() ?? '';
    throw new Error(`openssl ${args[0]} failed: ${stderr || String(err)}`);
  }
}

/** Escapes one RDN value for openssl's "/CN=a/O=b" subject syntax. */
function subjectValue(value: string): string {
  if (value.length === 0) throw new Error('certificate subject values must not be empty');
  return value.replace(/([\\/,+=])/g, '\\$1');
}

function selfSignedCa(dir: string, keyFile: string, certFile: string, cn: string): void {
  openssl(['req', '-x509', ...EC_KEY, '-keyout', keyFile, '-out', certFile, '-days', VALIDITY_DAYS,
    '-subj', `/CN=${subjectValue(cn)}`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign,digitalSignature'], dir);
}

/** Signs a fresh key's CSR with the given CA; `ext` is the openssl extension file content. */
function signedCert(dir: string, base: string, subject: string, caCert: string, caKey: string, ext: string): void {
  // A unique scratch name lets several Jest workers mint certificates in the same directory at once.
  const tmp = `${base}.${process.pid}.${randomBytes(4).toString('hex')}`;
  writeFileSync(path.join(dir, `${tmp}.ext`), ext);
  try {
    openssl(['req', '-new', ...EC_KEY, '-keyout', `${base}.key`, '-out', `${tmp}.csr`, '-subj', subject], dir);
    // -set_serial with random bytes instead of -CAcreateserial: the shared .srl file would race.
    openssl(['x509', '-req', '-in', `${tmp}.csr`, '-CA', caCert, '-CAkey', caKey,
      '-set_serial', `0x${randomBytes(16).toString('hex')}`, '-days', VALIDITY_DAYS,
      '-out', `${base}.crt`, '-extfile', `${tmp}.ext`], dir);
  } finally {
    rmSync(path.join(dir, `${tmp}.ext`), { force: true });
    rmSync(path.join(dir, `${tmp}.csr`), { force: true });
  }
}

/** Creates the serving CA and apiserver cert, the client CA, and the service-account signer in `certDir`. */
export function createControlPlanePki(certDir: string): void {
  mkdirSync(certDir, { recursive: true, mode: 0o700 });
  selfSignedCa(certDir, CertFiles.servingCaKey, CertFiles.servingCa, 'ktj-serving-ca');
  signedCert(certDir, 'apiserver', '/CN=localhost', CertFiles.servingCa, CertFiles.servingCaKey,
    'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n');
  selfSignedCa(certDir, CertFiles.clientCaKey, CertFiles.clientCa, 'ktj-client-ca');
  selfSignedCa(certDir, CertFiles.saSignerKey, CertFiles.saSignerCert, 'ktj-sa-signer');
}

/**
 * Mints a client certificate signed by the plane's client CA: the apiserver maps CN to the user
 * name and each O to a group (Kubernetes x509 authenticator).
 */
export function mintClientCert(certDir: string, userName: string, groups: readonly string[]): ClientCert {
  const usersDir = path.join(certDir, 'users');
  mkdirSync(usersDir, { recursive: true, mode: 0o700 });
  const base = `user-${process.pid}-${randomBytes(6).toString('hex')}`;
  const subject = `/CN=${subjectValue(userName)}${groups.map((g) => `/O=${subjectValue(g)}`).join('')}`;
  signedCert(usersDir, base, subject, path.join(certDir, CertFiles.clientCa), path.join(certDir, CertFiles.clientCaKey),
    'extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n');
  const certPem = readFileSync(path.join(usersDir, `${base}.crt`), 'utf8');
  const keyPem = readFileSync(path.join(usersDir, `${base}.key`), 'utf8');
  return { certPem, keyPem };
}

/**
 * Mints a webhook serving certificate for 127.0.0.1/localhost signed by the plane's serving CA and
 * writes it as `tls.crt`/`tls.key` into `outDir` (the file names controller-runtime's webhook server
 * reads); returns the CA bundle (PEM) to put into a webhook configuration's `caBundle`.
 */
export function mintWebhookServingCert(certDir: string, outDir: string): string {
  mkdirSync(outDir, { recursive: true, mode: 0o700 });
  const base = `webhook-${process.pid}-${randomBytes(6).toString('hex')}`;
  signedCert(certDir, base, '/CN=ktj-webhook', CertFiles.servingCa, CertFiles.servingCaKey,
    'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n');
  writeFileSync(path.join(outDir, 'tls.crt'), readFileSync(path.join(certDir, `${base}.crt`)), { mode: 0o600 });
  writeFileSync(path.join(outDir, 'tls.key'), readFileSync(path.join(certDir, `${base}.key`)), { mode: 0o600 });
  rmSync(path.join(certDir, `${base}.crt`), { force: true });
  rmSync(path.join(certDir, `${base}.key`), { force: true });
  return readFileSync(path.join(certDir, CertFiles.servingCa), 'utf8');
}
