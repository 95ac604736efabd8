// The cluster layer's public surface. Verbs load it lazily (`await import('../cluster/index.js')`), so this
// module and everything it imports must only define things: no I/O and no KubeConfig at import time.
import type { ClusterOptions } from './config-flags.js';
import { Cluster, type ClientOptions } from './client.js';
import { resolveClusterTarget, type FileReader } from './kubeconfig.js';

export * from './client.js';
export * from './concurrency.js';
export * from './discovery.js';
export * from './errors.js';
export * from './kubeconfig.js';
export * from './resources.js';
export { backoffDelay, parseRetryAfter, TokenBucket, type BackoffOptions, type Clock } from './throttle.js';

/** Options of connect(): client tuning plus, for tests, a file reader for kubeconfig resolution. */
export interface ConnectOptions extends ClientOptions {
  fileReader?: FileReader;
}

/** Resolves the kubeconfig like kubectl and returns a Cluster client; no request is sent until a method is called. */
export async function connect(opts: ClusterOptions, env: NodeJS.ProcessEnv, tuning: ConnectOptions = {}): Promise<Cluster> {
  const { fileReader, ...client } = tuning;
  return new Cluster(resolveClusterTarget(opts, env, fileReader), client);
}
