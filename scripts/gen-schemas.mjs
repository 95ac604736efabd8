#!/usr/bin/env node
// Extracts the openAPIV3Schema of each CRD the converter emits (or reads) from the verbatim upstream
// copies in upstream/ and writes src/convert/targets/<target>/schema.json, so the binary can validate
// objects offline exactly against what each Trainer version's apiserver would accept.
//
//   node scripts/gen-schemas.mjs           # (re)write the schema.json files
//   node scripts/gen-schemas.mjs --check   # exit 1 if a committed file differs from what would be written
//
// Output is deterministic: descriptions are dropped (they are ~70% of the bytes and never checked), object
// keys are sorted, and the CRD file's sha256 is recorded so a stale copy is obvious in review.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Target folder → upstream folder; Trainer patch releases share one folder because the schema is per minor. */
const TRAINER_TARGETS = [
  ['trainer-v2.0', 'trainer-v2.0.0'],
  ['trainer-v2.1', 'trainer-v2.1.0'],
  ['trainer-v2.2', 'trainer-v2.2.1'],
  ['trainer-v2.3', 'trainer-v2.3.0'],
];

const TRAINER_CRDS = [
  ['trainjob', 'trainer.kubeflow.org_trainjobs.yaml'],
  ['trainingruntime', 'trainer.kubeflow.org_trainingruntimes.yaml'],
  ['clustertrainingruntime', 'trainer.kubeflow.org_clustertrainingruntimes.yaml'],
];

/** Builds the list of files to write: { out, entries: [[key, crdPath, version]] }. */
function plan() {
  const files = TRAINER_TARGETS.map(([target, upstream]) => ({
    out: `src/convert/targets/${target}/schema.json`,
    entries: TRAINER_CRDS.map(([key, file]) => [key, `upstream/${upstream}/crds/${file}`, 'v1alpha1']),
  }));
  // One folder per v1 source kind: the Training Operator v1.9.2 CRD of each (and mpi-operator's v2beta1 MPIJob).
  for (const kind of ['pytorchjob', 'jaxjob', 'xgboostjob', 'tfjob', 'paddlejob']) {
    files.push({ out: `src/convert/kinds/${kind}/schema.json`, entries: [[kind, `upstream/training-operator-v1.9.2/crds/kubeflow.org_${kind}s.yaml`, 'v1']] });
  }
  // MPIJob is read at two apiVersions: Training Operator's kubeflow.org/v1 and mpi-operator's kubeflow.org/v2beta1.
  files.push({
    out: 'src/convert/kinds/mpijob/schema.json',
    entries: [
      ['v1', 'upstream/training-operator-v1.9.2/crds/kubeflow.org_mpijobs.yaml', 'v1'],
      ['v2beta1', 'upstream/mpi-operator-v0.8.0/crds/kubeflow.org_mpijobs.yaml', 'v2beta1'],
    ],
  });
  return files;
}

// Keywords whose value is a map of field name → schema (the keys are data, not keywords).
const SCHEMA_MAPS = new Set(['properties', 'patternProperties', 'definitions']);
// Keywords whose value is a single schema.
const SCHEMA_ONE = new Set(['items', 'additionalProperties', 'not', 'additionalItems']);
// Keywords whose value is a list of schemas.
const SCHEMA_LIST = new Set(['allOf', 'anyOf', 'oneOf']);

/** Returns a copy of a schema node without `description`, with keys sorted; literal values are copied verbatim. */
function normalizeSchema(node) {
  const out = {};
  for (const key of Object.keys(node).sort()) {
    const value = node[key];
    if (key === 'description') continue;
    if (SCHEMA_MAPS.has(key)) {
      out[key] = Object.fromEntries(Object.keys(value).sort().map((k) => [k, normalizeSchema(value[k])]));
    } else if (SCHEMA_ONE.has(key) && value !== null && typeof value === 'object' && !Array.isArray(value)) {
      out[key] = normalizeSchema(value);
    } else if (SCHEMA_LIST.has(key)) {
      out[key] = value.map(normalizeSchema);
    } else {
      out[key] = sortKeys(value);
    }
  }
  return out;
}

/** Sorts object keys recursively (defaults, enums, CEL rule objects) without interpreting them. */
function sortKeys(value) {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sortKeys(value[k])]));
}

/** Reads one CRD file and returns its normalized schema for `version` plus a provenance string. */
function extract(crdPath, version) {
  const text = readFileSync(join(root, crdPath));
  const crd = parse(text.toString('utf8'));
  const found = crd?.spec?.versions?.find((v) => v.name === version);
  if (!found?.schema?.openAPIV3Schema) {
    throw new Error(`${crdPath}: no openAPIV3Schema for version ${version}`);
  }
  const sha = createHash('sha256').update(text).digest('hex');
  return { schema: normalizeSchema(found.schema.openAPIV3Schema), source: `${crdPath} sha256:${sha}` };
}

/** Renders one output file; one key per line at the top level keeps review diffs readable at all. */
function render(entries) {
  const doc = {};
  const sources = [];
  for (const [key, crdPath, version] of entries) {
    const { schema, source } = extract(crdPath, version);
    doc[key] = schema;
    sources.push(source);
  }
  doc.source = sources.join('; ');
  const lines = Object.entries(doc).map(([k, v]) => `  ${JSON.stringify(k)}: ${JSON.stringify(v)}`);
  return `{\n${lines.join(',\n')}\n}\n`;
}

function main(argv) {
  const check = argv.includes('--check');
  const stale = [];
  for (const { out, entries } of plan()) {
    const want = render(entries);
    const path = join(root, out);
    let have = null;
    try {
      have = readFileSync(path, 'utf8');
    } catch {
      // A missing file is simply stale.
    }
    if (have === want) continue;
    if (check) {
      stale.push(relative(root, path));
    } else {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, want);
      console.error(`wrote ${out} (${want.length} bytes)`);
    }
  }
  if (stale.length > 0) {
    console.error(`stale generated schemas (run: node scripts/gen-schemas.mjs):\n  ${stale.join('\n  ')}`);
    return 1;
  }
  return 0;
}

process.exitCode = main(process.argv.slice(2));
