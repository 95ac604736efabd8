import { finding } from '../codes.js';
import type { Finding } from '../findings.js';
import type { JsonObject } from '../model.js';
import type { ConversionPlan, ConvertOptions } from '../plan.js';
import { aKind, type SourceJob } from '../source.js';

/**
 * The target's stock runtime a kind moves to, or undefined with an error finding naming the Trainer
 * version that introduced it (the target lacks the runtime and the mlPolicy the kind needs).
 */
export function requireStockRuntime(job: SourceJob & { specsPath: string }, opts: ConvertOptions, runtime: string, since: string, policy: string, findings: Finding[]): JsonObject | undefined {
  const stock = opts.target.stockRuntimes[runtime];
  if (stock) return stock as unknown as JsonObject;
  findings.push(
    finding(
      'KTJ-KIND-001',
      job.specsPath,
      `${aKind(job.kind).replace(/^a/, 'A')} needs Trainer ${since} or later (${policy} and the stock ${runtime} runtime); Trainer ${opts.target.version} has neither.`,
      `Upgrade Trainer to ${since} or later and convert for it (--target-version ${since}, or preview against the upgraded cluster), or keep this ${job.kind} on Training Operator v1 until then.`,
    ),
  );
  return undefined;
}

/**
 * The port handler for a kind's v1 default port (`jaxjob-port` 6666): dropped, since Trainer v2 adds
 * its own port 29500; a changed number is kept in the v1-settings annotation for rollback.
 */
export function v1DefaultPort(port: { name: string; port: number }, v2Var: string, settingsKey: string): (p: JsonObject, path: string, plan: ConversionPlan) => boolean {
  return (p, path, plan) => {
    if (p.name !== port.name) return false;
    if (p.containerPort !== port.port) plan.v1Settings[settingsKey] = p.containerPort;
    plan.findings.push(
      finding(
        'KTJ-CTR-002',
        path,
        `Port ${port.name} (${String(p.containerPort)}) is dropped: Trainer v2 adds its own port 29500 to the node container and points ${v2Var} at it.`,
      ),
    );
    return true;
  };
}
