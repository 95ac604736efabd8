import { finding } from '../codes.js';
import type { Finding } from '../findings.js';
import { isObject, joinPath, type Container, type JsonObject } from '../model.js';
import type { ConversionPlan } from '../plan.js';

/** How a v1 kind names its training container, and which ports v1 added to it by itself. */
export interface TrainingContainer {
  /** The container v1 requires and Trainer v2 calls `node` (`pytorch`, `mpi`, `tensorflow`, ...). */
  name: string;
  /** Handles a port of the training container; returns true when it is v1's own port (dropped and reported here). */
  v1Port?: (port: JsonObject, path: string, plan: ConversionPlan) => boolean;
  /** What v1 injected into every container, for the sidecar finding (`RANK, MASTER_ADDR, PET_*`); empty when v1 set nothing in other containers. */
  v1Env: string;
  /** The v2 variable that names node 0, for hints (`PET_MASTER_ADDR`). */
  masterAddrVar: string;
  /** How a sidecar gets the distributed environment under Trainer v2, for the sidecar hint. */
  sidecarHint: string;
}

/** Pod spec fields whose value equals the Kubernetes default: dropping them changes nothing. */
const POD_DEFAULTS: Record<string, unknown> = {
  dnsPolicy: 'ClusterFirst',
  schedulerName: 'default-scheduler',
  terminationGracePeriodSeconds: 30,
  enableServiceLinks: true,
};

/** Container fields whose value equals the Kubernetes default. */
const CONTAINER_DEFAULTS: Record<string, unknown> = {
  terminationMessagePath: '/dev/termination-log',
  terminationMessagePolicy: 'File',
};

/** Pod fields JobSet sets itself; a user value would break the pod DNS names Trainer v2 relies on. */
const JOBSET_OWNED_POD_FIELDS = new Set(['hostname', 'subdomain']);

function isEmpty(v: unknown): boolean {
  return v === null || v === undefined || (Array.isArray(v) && v.length === 0) || (isObject(v) && Object.keys(v).length === 0);
}

/** Default pull policy Kubernetes derives from the image reference. */
function defaultPullPolicy(image: string): string {
  const last = image.split('/').pop() ?? image;
  if (last.includes('@')) return 'IfNotPresent';
  const tag = last.includes(':') ? last.slice(last.lastIndexOf(':') + 1) : 'latest';
  return tag === 'latest' ? 'Always' : 'IfNotPresent';
}

/**
 * Splits the unified pod template into the plan: the training container feeds `trainer` and
 * `nodeContainer`, other containers become sidecars, and every other pod field is kept for the
 * target to place (overrides/patches where the target allows, else the generated runtime).
 * Values equal to the Kubernetes default are dropped and reported once.
 */
export function carryPodTemplate(template: JsonObject, templatePath: string, plan: ConversionPlan, training: TrainingContainer): void {
  const findings = plan.findings;
  const droppedDefaults: string[] = [];
  const meta = isObject(template.metadata) ? template.metadata : {};
  for (const [key, value] of Object.entries(meta)) {
    if (key === 'labels' || key === 'annotations') {
      if (isObject(value) && Object.keys(value).length) plan.podMetadata[key] = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, String(v)]));
    } else if (!isEmpty(value)) {
      findings.push(finding('KTJ-POD-008', joinPath(`${templatePath}.metadata`, key), `Pod template metadata.${key} has no effect on pods (the Job names them) and is not carried.`));
    }
  }
  const spec = template.spec as JsonObject;
  const specPath = `${templatePath}.spec`;
  for (const [key, value] of Object.entries(spec)) {
    const path = joinPath(specPath, key);
    if (key === 'containers') continue;
    if (isEmpty(value)) continue;
    if (key in POD_DEFAULTS && POD_DEFAULTS[key] === value) {
      droppedDefaults.push(`spec.${key}: ${JSON.stringify(value)}`);
      continue;
    }
    if (key === 'restartPolicy') {
      findings.push(
        finding('KTJ-POD-006', path, `template.spec.restartPolicy ${JSON.stringify(value)} was overridden by the replica restartPolicy in v1 and is ignored.`),
      );
      continue;
    }
    if (key === 'serviceAccount') {
      // Deprecated alias of serviceAccountName; Kubernetes copies it over when the name is unset.
      if (spec.serviceAccountName === undefined) plan.podSpec.serviceAccountName = value;
      continue;
    }
    if (JOBSET_OWNED_POD_FIELDS.has(key)) {
      findings.push(
        finding(
          'KTJ-POD-007',
          path,
          `spec.${key} is set by JobSet (pods are named <trainjob>-node-0-<index> under the <trainjob> Service); the value ${JSON.stringify(value)} is not carried.`,
          `Reach the master through ${training.masterAddrVar} instead of a fixed host name.`,
        ),
      );
      plan.v1Settings[`pod.${key}`] = value;
      continue;
    }
    if (key === 'hostNetwork' && value === true) {
      findings.push(
        finding(
          'KTJ-POD-003',
          path,
          'hostNetwork: true is carried, but with host networking the pod hostname is the node name, so PET_MASTER_ADDR (<trainjob>-node-0-0.<trainjob>) may not resolve to the master.',
          'Prefer pod networking; if host networking is required, test the rendezvous on the cluster first.',
        ),
      );
    }
    if (key === 'nodeName') {
      findings.push(
        finding('KTJ-POD-007', path, `spec.nodeName pins every node of the TrainJob to ${JSON.stringify(value)}.`, 'Use a nodeSelector or affinity instead, unless that is intended.'),
      );
    }
    plan.podSpec[key] = value;
  }

  const containers = spec.containers as Container[];
  containers.forEach((c, i) => {
    const path = `${specPath}.containers[${i}]`;
    if (c.name === training.name) carryTrainingContainer(c, path, plan, droppedDefaults, training);
    else plan.sidecars.push(c);
  });
  if (plan.sidecars.length) {
    plan.runtimeReasons.push(`containers ${plan.sidecars.map((c) => c.name).join(', ')}`);
    // A kind whose v1 operator set its variables in the training container only (TFJob) loses nothing here.
    if (training.v1Env) findings.push(
      finding(
        'KTJ-CTR-004',
        `${specPath}.containers`,
        `Container(s) ${plan.sidecars.map((c) => c.name).join(', ')} are carried in the generated TrainingRuntime, but v1 injected the distributed environment (${training.v1Env}) into every container and Trainer v2 injects it only into the container "node".`,
        training.sidecarHint,
      ),
    );
  }
  if (Array.isArray(spec.initContainers) && spec.initContainers.length) {
    plan.runtimeReasons.push('initContainers');
  }
  if (droppedDefaults.length) {
    findings.push(
      finding('KTJ-CTR-007', specPath, `Dropped settings equal to the Kubernetes defaults (no change in behaviour): ${droppedDefaults.join(', ')}.`),
    );
  }
}

function carryTrainingContainer(c: Container, path: string, plan: ConversionPlan, droppedDefaults: string[], training: TrainingContainer): void {
  const findings = plan.findings;
  findings.push(finding('KTJ-CTR-001', joinPath(path, 'name'), `Container "${training.name}" becomes container "node" (use \`kubectl logs -c node\`).`));
  for (const [key, value] of Object.entries(c)) {
    const fieldPath = joinPath(path, key);
    switch (key) {
      case 'name':
        break;
      case 'image':
        plan.trainer.image = String(value);
        break;
      case 'command':
      case 'args':
        if (Array.isArray(value) && value.length) plan.trainer[key] = value;
        break;
      case 'env':
        // Handled by the environment rules (the kind's env contract, kinds/<kind>/env.ts), which need the whole picture.
        break;
      case 'resources':
        if (isObject(value) && Object.keys(value).length) plan.trainer.resourcesPerNode = value;
        break;
      case 'ports':
        carryPorts(value, fieldPath, plan, training);
        break;
      case 'imagePullPolicy':
        if (value === defaultPullPolicy(String(c.image))) droppedDefaults.push(`containers[${training.name}].imagePullPolicy: ${value}`);
        else plan.nodeContainer[key] = value;
        break;
      default:
        if (isEmpty(value)) break;
        if (key in CONTAINER_DEFAULTS && CONTAINER_DEFAULTS[key] === value) {
          droppedDefaults.push(`containers[${training.name}].${key}: ${JSON.stringify(value)}`);
          break;
        }
        plan.nodeContainer[key] = value;
    }
  }
  if (!plan.trainer.command) plan.clearRuntimeEntrypoint.command = true;
  if (!plan.trainer.args) plan.clearRuntimeEntrypoint.args = true;
}

function carryPorts(value: unknown, path: string, plan: ConversionPlan, training: TrainingContainer): void {
  if (!Array.isArray(value)) return;
  const kept: JsonObject[] = [];
  for (const p of value) {
    if (!isObject(p)) continue;
    if (training.v1Port?.(p, path, plan)) continue;
    kept.push(p);
  }
  if (kept.length) {
    plan.nodeContainer.ports = kept;
    plan.findings.push(
      finding('KTJ-CTR-006', path, `Container port(s) ${kept.map((p) => p.name ?? p.containerPort).join(', ')} are carried in the generated TrainingRuntime (ports are informational for pods).`),
    );
  }
}
