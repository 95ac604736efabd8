// Kubeconfig files for the test control plane's users.
import { writeFileSync } from 'node:fs';
import { stringify } from 'yaml';

/** Everything a client-certificate kubeconfig contains. */
export interface CertKubeconfig {
  server: string;
  caPem: string;
  certPem: string;
  keyPem: string;
  /** Names of the cluster, user and context entries; all default to `envtest`, as in envtest. */
  clusterName?: string;
  userName?: string;
  contextName?: string;
  /** Default namespace of the context, if any. */
  namespace?: string;
}

const b64 = (pem: string): string => Buffer.from(pem, 'utf8').toString('base64');

/** Renders a single-context kubeconfig with the certificates embedded (no file references). */
export function renderKubeconfig(cfg: CertKubeconfig): string {
  const clusterName = cfg.clusterName ?? 'envtest';
  const userName = cfg.userName ?? 'envtest';
  const contextName = cfg.contextName ?? 'envtest';
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: clusterName, cluster: { server: cfg.server, 'certificate-authority-data': b64(cfg.caPem) } }],
    users: [{ name: userName, user: { 'client-certificate-data': b64(cfg.certPem), 'client-key-data': b64(cfg.keyPem) } }],
    contexts: [{ name: contextName, context: { cluster: clusterName, user: userName, ...(cfg.namespace ? { namespace: cfg.namespace } : {}) } }],
    'current-context': contextName,
    preferences: {},
  });
}

/** Writes a kubeconfig file readable only by its owner (it embeds a private key). */
export function writeKubeconfig(file: string, cfg: CertKubeconfig): void {
  writeFileSync(file, renderKubeconfig(cfg), { mode: 0o600 });
}
