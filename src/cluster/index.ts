// The cluster layer's public surface. Verbs load it lazily (`await import('../cluster/index.js')`), so this
// module and everything it imports must only define things: no I/O and no KubeConfig at import time.
import type { ClusterOptions } from './config-flags.js';
import { Cluster, type ClientOptions } from './client.js';
import { resolveClusterTarget, type FileReader } from './kubeconfig.js';

export * from './client.js';
export * from './concurrency.js';
export * from './config-flags.js';
export type { RequestLog } from './request-log.js';
export * from './discovery.js';
export * from './fleet.js';
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
  const target = resolveClusterTarget(opts, env, fileReader);
  const log = client.log;
  if (log && log.verbosity >= 4) {
    // Names and paths only: never a credential (the kubeconfig's users hold tokens, keys and exec env).
    const from = target.files.length > 0 ? target.files.join(', ') : opts.server !== undefined ? 'flags' : 'in-cluster configuration';
    log.write(`Config loaded from ${from}: context "${target.contextName}", cluster "${target.clusterName}" (${target.server}), user "${target.userName}", namespace "${target.namespace}"${target.impersonate ? `, impersonating "${target.impersonate.user}"` : ''}${target.exec ? `, exec credential plugin "${target.exec.command}"` : ''}`);
  }
  return new Cluster(target, { env, ...client });
}
