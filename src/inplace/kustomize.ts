// Kustomizations next to rewritten files: the files keep their names, so `resources:` keeps working, but a
// patch written against a v1 job (PyTorchJob, XGBoostJob, ...) matches nothing once it is a TrainJob (kustomize build fails
// for patchesStrategicMerge and patchesJson6902, and skips a `patches` entry whose target matches nothing),
// and a name prefix or suffix renames a generated TrainingRuntime without updating the TrainJob's
// runtimeRef (kustomize does not know that field). Pure: the caller reads the files.
import { parse, parseAllDocuments } from 'yaml';
import { finding } from '../convert/codes.js';
import type { Finding } from '../convert/findings.js';

/** A job rewritten in this run, by its v1 identity. */
export interface RewrittenIdentity {
  kind: string;
  name?: string;
  namespace?: string;
  trainJob?: string;
  generatedRuntime?: string;
}

/** Options of checkKustomization. */
export interface KustomizationInput {
  /** The kustomization file as shown in messages. */
  name: string;
  text: string;
  /** Reads a file named in the kustomization (relative to its directory); undefined when it cannot be read. */
  read: (relative: string) => string | undefined;
  /** Jobs rewritten in this run. */
  rewritten: readonly RewrittenIdentity[];
}

type Obj = Record<string, unknown>;

/** File names kustomize reads as a kustomization. */
export const KUSTOMIZATION_NAMES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'] as const;
/** A kustomization among manifest files (the ones with a YAML extension). */
export const KUSTOMIZATION_FILE = /^kustomization\.ya?ml$/i;

/** The patch files a kustomization names (relative to its directory): patchesStrategicMerge, patches[].path, patchesJson6902[].path. */
export function patchFiles(text: string): string[] {
  let k: unknown;
  try {
    k = parse(text);
  } catch {
    return [];
  }
  if (!isObj(k)) return [];
  const out: string[] = [];
  if (Array.isArray(k.patchesStrategicMerge)) for (const e of k.patchesStrategicMerge) if (typeof e === 'string' && !e.includes('\n')) out.push(e);
  for (const list of [k.patches, k.patchesJson6902]) {
    if (Array.isArray(list)) for (const e of list) if (isObj(e) && typeof e.path === 'string') out.push(e.path);
  }
  return out;
}
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Whether a kustomize target selector names this job (name may be a regular expression; absent matches all). */
function targetMatches(target: Obj, job: RewrittenIdentity): boolean {
  if (target.kind !== job.kind) return false;
  if (typeof target.namespace === 'string' && job.namespace !== undefined && target.namespace !== job.namespace) return false;
  if (typeof target.name !== 'string') return true;
  try {
    return new RegExp(`^(?:${target.name})$`).test(job.name ?? '');
  } catch {
    return target.name === job.name;
  }
}

/** The objects a strategic-merge patch (file or inline YAML) patches: their kind and name. */
function patchedObjects(text: string): { kind?: string; name?: string; namespace?: string }[] {
  try {
    return parseAllDocuments(text)
      .map((d) => d.toJS() as unknown)
      .filter(isObj)
      .map((o) => {
        const meta = isObj(o.metadata) ? o.metadata : {};
        return {
          ...(typeof o.kind === 'string' ? { kind: o.kind } : {}),
          ...(typeof meta.name === 'string' ? { name: meta.name } : {}),
          ...(typeof meta.namespace === 'string' ? { namespace: meta.namespace } : {}),
        };
      });
  } catch {
    return [];
  }
}

function describe(job: RewrittenIdentity): string {
  return `${job.kind} ${job.namespace ? `${job.namespace}/` : ''}${job.name ?? '(unnamed)'}`;
}

const PATCH_HINT =
  'Rewrite the patch against the TrainJob (kind TrainJob; for example spec.pytorchReplicaSpecs.Worker.replicas (xgbReplicaSpecs, jaxReplicaSpecs, ...) → spec.trainer.numNodes, the training container\'s image/env/resources → spec.trainer.image/env/resourcesPerNode), then run kustomize build.';

/** Findings about one kustomization.yaml: patches that target a rewritten job, renames that break runtimeRef. */
export function checkKustomization(input: KustomizationInput): Finding[] {
  const out: Finding[] = [];
  let k: unknown;
  try {
    k = parse(input.text);
  } catch {
    return out; // not ours to report: kustomize will
  }
  if (!isObj(k) || input.rewritten.length === 0) return out;
  const subject = { kind: 'Kustomization', source: input.name };
  const report = (path: string, how: string, jobs: RewrittenIdentity[], willFail: boolean): void => {
    out.push({
      ...finding(
        'KTJ-KUSTOMIZE-001',
        path,
        `${input.name} ${path} ${how} patches ${jobs.map(describe).join(', ')}, which is now ${jobs.map((j) => `TrainJob ${j.trainJob ?? j.name ?? ''}`).join(', ')}: the patch matches nothing, so ${willFail ? 'kustomize build fails' : 'kustomize silently skips it and its change is lost'}.`,
        PATCH_HINT,
      ),
      subject,
    });
  };
  const bySmp = (text: string) =>
    input.rewritten.filter((j) => patchedObjects(text).some((p) => p.kind === j.kind && p.name === j.name && (p.namespace === undefined || j.namespace === undefined || p.namespace === j.namespace)));

  // patchesStrategicMerge: file paths or inline patches.
  const smp = Array.isArray(k.patchesStrategicMerge) ? k.patchesStrategicMerge : [];
  smp.forEach((entry, i) => {
    if (typeof entry !== 'string') return;
    const text = entry.includes('\n') ? entry : input.read(entry);
    if (text === undefined) return;
    const jobs = bySmp(text);
    if (jobs.length) report(`patchesStrategicMerge[${i}]`, entry.includes('\n') ? '(inline)' : `(${entry})`, jobs, true);
  });
  // patchesJson6902: a target is required.
  const json = Array.isArray(k.patchesJson6902) ? k.patchesJson6902 : [];
  json.forEach((entry, i) => {
    if (!isObj(entry) || !isObj(entry.target)) return;
    const target = entry.target;
    const jobs = input.rewritten.filter((j) => targetMatches(target, j));
    if (jobs.length) report(`patchesJson6902[${i}]`, `(target ${String(target.kind)}${typeof target.name === 'string' ? ` ${target.name}` : ''})`, jobs, true);
  });
  // patches: with a target selector (JSON 6902 or strategic merge), or without one (a strategic-merge patch naming its object).
  const patches = Array.isArray(k.patches) ? k.patches : [];
  patches.forEach((entry, i) => {
    if (!isObj(entry)) return;
    if (isObj(entry.target)) {
      const target = entry.target;
      const jobs = input.rewritten.filter((j) => targetMatches(target, j));
      if (jobs.length) report(`patches[${i}]`, `(target ${String(target.kind)}${typeof target.name === 'string' ? ` ${target.name}` : ''})`, jobs, false);
      return;
    }
    const text = typeof entry.patch === 'string' ? entry.patch : typeof entry.path === 'string' ? input.read(entry.path) : undefined;
    if (text === undefined) return;
    const jobs = bySmp(text);
    if (jobs.length) report(`patches[${i}]`, typeof entry.path === 'string' ? `(${entry.path})` : '(inline)', jobs, true);
  });
  // namePrefix / nameSuffix rename the generated runtime but not the TrainJob's spec.runtimeRef.name.
  const prefix = typeof k.namePrefix === 'string' ? k.namePrefix : '';
  const suffix = typeof k.nameSuffix === 'string' ? k.nameSuffix : '';
  const withRuntime = input.rewritten.filter((j) => j.generatedRuntime);
  if ((prefix || suffix) && withRuntime.length) {
    const rt = withRuntime[0]!.generatedRuntime!;
    out.push({
      ...finding(
        'KTJ-KUSTOMIZE-002',
        prefix ? 'namePrefix' : 'nameSuffix',
        `${input.name} renames every object (${prefix ? `namePrefix ${prefix}` : ''}${prefix && suffix ? ', ' : ''}${suffix ? `nameSuffix ${suffix}` : ''}): the generated TrainingRuntime ${rt} becomes ${prefix}${rt}${suffix}, but kustomize does not rename spec.runtimeRef.name of TrainJob ${withRuntime[0]!.trainJob ?? ''}${withRuntime.length > 1 ? ` (and ${withRuntime.length - 1} more)` : ''}, which then names a runtime that does not exist.`,
        'Add a kustomize configuration (configurations: with nameReference for kind TrainingRuntime, fieldSpecs path spec/runtimeRef/name, kind TrainJob), or keep the runtime out of the renamed resources.',
      ),
      subject,
    });
  }
  return out;
}
