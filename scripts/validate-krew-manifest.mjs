#!/usr/bin/env node
// Validates krew plugin manifests the way krew does, since krew itself cannot be installed here.
//
//   node scripts/validate-krew-manifest.mjs [--template] FILE...
//
// Two groups of rules (docs/packaging.md §krew):
//   krew    - mirrors kubernetes-sigs/krew internal/index/validation/validate.go (what
//             `kubectl krew install --manifest` and the krew-index CI enforce);
//   index   - krew-index review guidelines that reviewers ask for (short description
//             length and wording, wrapped description, LICENSE extracted at install).
// --template skips the one rule a template cannot meet: metadata.name == file name.
// Exit 0 when every file is valid, 1 otherwise; one "FILE: problem" line per problem.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDocument } from 'yaml';

const API_VERSION = 'krew.googlecontainertools.github.com/v1alpha2';
// krew: validate.go isSafePluginName + the Windows reserved names it refuses.
const SAFE_NAME = /^[\w-]+$/;
const WINDOWS_RESERVED = /^(CON|PRN|AUX|NUL|COM[1-9]|LPT[1-9])$/i;
// krew: semver with a leading "v" (validate.go uses semver.Parse on the version).
const SEMVER = /^v(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$/;
// krew: isValidSHA256 accepts lowercase hex only.
const SHA256 = /^[a-f0-9]{64}$/;
const SELECTOR_KEYS = new Set(['os', 'arch']);
const GOOS = new Set(['linux', 'darwin', 'windows', 'freebsd', 'openbsd', 'netbsd']);
const GOARCH = new Set(['amd64', 'arm64', 'arm', '386', 'ppc64le', 's390x']);
const SHORT_DESCRIPTION_MAX = 50;
const DESCRIPTION_WIDTH = 80;

/**
 * Returns the problems of one manifest (empty when valid).
 * @param {string} text the manifest's YAML
 * @param {string} file its path (the plugin name must equal the file's base name)
 * @param {{ template?: boolean }} [opts]
 * @returns {string[]}
 */
export function validateManifest(text, file, opts = {}) {
  const problems = [];
  const bad = (rule, msg) => problems.push(`${rule}: ${msg}`);
  const doc = parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length) return [`yaml: ${doc.errors[0].message}`];
  const p = doc.toJS();
  if (!p || typeof p !== 'object') return ['yaml: the manifest is empty or not a mapping'];

  if (p.apiVersion !== API_VERSION) bad('krew', `apiVersion must be "${API_VERSION}", got "${p.apiVersion}"`);
  if (p.kind !== 'Plugin') bad('krew', `kind must be "Plugin", got "${p.kind}"`);
  const name = p.metadata?.name;
  if (typeof name !== 'string' || !SAFE_NAME.test(name) || WINDOWS_RESERVED.test(name)) {
    bad('krew', `metadata.name "${name}" is not a safe plugin name (letters, digits, "_" and "-")`);
  }
  const fileName = basename(file).replace(/\.ya?ml$/, '');
  if (!opts.template && name !== fileName) {
    bad('krew', `plugin name "${name}" must match the file name: name the file "${name}.yaml" (got "${basename(file)}")`);
  }

  const s = p.spec ?? {};
  if (typeof s.shortDescription !== 'string' || s.shortDescription.trim() === '') bad('krew', 'spec.shortDescription is required');
  else if (/[\r\n]/.test(s.shortDescription)) bad('krew', 'spec.shortDescription must be a single line');
  if (typeof s.version !== 'string' || !SEMVER.test(s.version)) {
    bad('krew', `spec.version "${s.version}" must be semver with a leading "v" (e.g. v0.1.0)`);
  }
  if (s.homepage !== undefined && !/^https?:\/\/\S+$/.test(String(s.homepage))) bad('krew', `spec.homepage "${s.homepage}" is not a URL`);

  if (!Array.isArray(s.platforms) || s.platforms.length === 0) bad('krew', 'spec.platforms must list at least one platform');
  const seen = new Set();
  for (const [i, pl] of (Array.isArray(s.platforms) ? s.platforms : []).entries()) {
    const at = `spec.platforms[${i}]`;
    if (!pl || typeof pl !== 'object') {
      bad('krew', `${at} must be a mapping`);
      continue;
    }
    if (!pl.uri) bad('krew', `${at}.uri is required`);
    else if (!/^https?:\/\//.test(pl.uri)) bad('krew', `${at}.uri "${pl.uri}" must be an http(s) URL`);
    const sha = pl.sha256 === undefined ? '' : String(pl.sha256);
    if (!SHA256.test(sha)) {
      bad('krew', `${at}.sha256 "${sha}" must be 64 lowercase hex digits${/^[A-Fa-f0-9]{64}$/.test(sha) ? ' (it is uppercase)' : ''}`);
    }
    if (!pl.bin) bad('krew', `${at}.bin is required`);
    if (pl.files !== undefined) {
      if (!Array.isArray(pl.files) || pl.files.length === 0) bad('krew', `${at}.files must not be empty when present`);
      else pl.files.forEach((f, j) => (!f?.from || !f?.to) && bad('krew', `${at}.files[${j}] needs both "from" and "to"`));
    }
    const sel = pl.selector;
    const labels = sel?.matchLabels ?? {};
    const exprs = Array.isArray(sel?.matchExpressions) ? sel.matchExpressions : [];
    if (!sel || (Object.keys(labels).length === 0 && exprs.length === 0)) {
      bad('krew', `${at}.selector is required (matchLabels with os and arch)`);
    } else {
      for (const key of [...Object.keys(labels), ...exprs.map((e) => e?.key)]) {
        if (!SELECTOR_KEYS.has(key)) bad('krew', `${at}.selector may only use the keys os and arch, got "${key}"`);
      }
      if (labels.os !== undefined && !GOOS.has(labels.os)) bad('krew', `${at}.selector os "${labels.os}" is not a GOOS value`);
      if (labels.arch !== undefined && !GOARCH.has(labels.arch)) bad('krew', `${at}.selector arch "${labels.arch}" is not a GOARCH value`);
      if (labels.os === 'windows' && pl.bin && !String(pl.bin).endsWith('.exe')) bad('krew', `${at}.bin must end in .exe on windows`);
      const key = `${labels.os ?? '*'}/${labels.arch ?? '*'}`;
      if (Object.keys(labels).length > 0 && seen.has(key)) bad('krew', `${at} repeats the selector ${key}`);
      seen.add(key);
    }
    if (pl.files !== undefined && Array.isArray(pl.files) && !pl.files.some((f) => /(^|\/)LICEN[CS]E/i.test(String(f?.from ?? '')))) {
      bad('index', `${at}.files must extract the LICENSE file (krew-index pre-submit checklist)`);
    }
  }

  if (typeof s.shortDescription === 'string') {
    if (s.shortDescription.length > SHORT_DESCRIPTION_MAX) {
      bad('index', `spec.shortDescription is ${s.shortDescription.length} characters; keep it to ${SHORT_DESCRIPTION_MAX}`);
    }
    if (/\b(plugin|kubernetes)\b/i.test(s.shortDescription)) {
      bad('index', 'spec.shortDescription must not say "plugin" or "Kubernetes" (it is implied)');
    }
  }
  if (typeof s.description !== 'string' || s.description.trim() === '') bad('index', 'spec.description is required');
  else {
    s.description.split('\n').forEach((line, j) => {
      if (line.length > DESCRIPTION_WIDTH) bad('index', `spec.description line ${j + 1} is longer than ${DESCRIPTION_WIDTH} columns`);
    });
  }
  return problems;
}

function main(argv) {
  const template = argv.includes('--template');
  const files = argv.filter((a) => a !== '--template');
  if (files.length === 0) {
    process.stderr.write('usage: validate-krew-manifest.mjs [--template] FILE...\n');
    return 2;
  }
  let failed = 0;
  for (const file of files) {
    let text;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      process.stderr.write(`${file}: ${e.message}\n`);
      failed++;
      continue;
    }
    const problems = validateManifest(text, file, { template });
    for (const p of problems) process.stderr.write(`${file}: ${p}\n`);
    if (problems.length) failed++;
    else process.stdout.write(`${file}: ok\n`);
  }
  return failed ? 1 : 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) process.exitCode = main(process.argv.slice(2));
