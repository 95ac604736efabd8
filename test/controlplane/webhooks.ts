// Upstream webhook configurations, pointed at a controller running on loopback.
//
// This is the envtest technique (controller-runtime pkg/envtest/webhook.go): each webhook's
// `clientConfig.service` is replaced by `clientConfig.url: https://127.0.0.1:<port><service.path>`
// and `caBundle` is the harness CA that signed the controller's serving certificate. Everything
// else (rules, objectSelector, failurePolicy, sideEffects, ...) stays exactly as upstream ships it,
// read from the rendered install manifests under upstream/.
import type { KubeObject } from './objects.js';

/** One entry of `webhooks:` in a (Validating|Mutating)WebhookConfiguration. */
interface Webhook {
  name: string;
  clientConfig: { service?: { name: string; namespace: string; path?: string; port?: number }; url?: string; caBundle?: string };
  rules?: { resources?: string[] }[];
  [k: string]: unknown;
}

/** Options for pointWebhooksAt. */
export interface PointWebhooksOptions {
  /** https port the controller's webhook server listens on (127.0.0.1). */
  port: number;
  /** PEM of the CA that signed the serving certificate. */
  caPem: string;
  /** Keep only webhooks for which this returns true (e.g. only enabled kinds); default: all. */
  keep?: (webhook: Webhook) => boolean;
  /**
   * A new metadata.name (e.g. when the controller would otherwise overwrite the configuration's
   * caBundle, as the Training Operator's certificate rotator does for its fixed name).
   */
  rename?: (name: string) => string;
}

/** The webhook configurations (validating and mutating) among `objs`. */
export function webhookConfigurations(objs: readonly KubeObject[]): KubeObject[] {
  return objs.filter((o) => o.kind === 'ValidatingWebhookConfiguration' || o.kind === 'MutatingWebhookConfiguration');
}

/** Plural resources a webhook configuration intercepts (for tests and error messages). */
export function interceptedResources(cfg: KubeObject): string[] {
  const hooks = (cfg.webhooks as Webhook[] | undefined) ?? [];
  return [...new Set(hooks.flatMap((h) => (h.rules ?? []).flatMap((r) => r.resources ?? [])))];
}

/**
 * Copies upstream webhook configurations with every service reference replaced by a loopback URL
 * and the harness CA; configurations left without webhooks after `keep` are dropped.
 */
export function pointWebhooksAt(configs: readonly KubeObject[], opts: PointWebhooksOptions): KubeObject[] {
  const caBundle = Buffer.from(opts.caPem, 'utf8').toString('base64');
  const out: KubeObject[] = [];
  for (const cfg of configs) {
    const hooks = ((cfg.webhooks as Webhook[] | undefined) ?? []).filter((h) => opts.keep?.(h) ?? true);
    if (hooks.length === 0) continue;
    const name = cfg.metadata.name ?? '';
    out.push({
      apiVersion: cfg.apiVersion,
      kind: cfg.kind,
      metadata: { name: opts.rename ? opts.rename(name) : name, labels: { 'test.kubectl-trainjob.dev/harness': 'true' } },
      webhooks: hooks.map((h) => {
        const svcPath = h.clientConfig.service?.path ?? '';
        if (!h.clientConfig.service && !h.clientConfig.url) throw new Error(`webhook ${h.name} in ${name} has neither service nor url`);
        return { ...h, clientConfig: { url: `https://127.0.0.1:${opts.port}${svcPath}`, caBundle } };
      }),
    });
  }
  return out;
}
