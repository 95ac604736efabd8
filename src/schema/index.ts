// Offline CRD schema validation: the checks the kube-apiserver would run on an object, without a cluster.
// Pure code: schemas are passed in (the converter imports each target's schema.json).
export { applyDefaults, compileSchema, CompiledSchema, listCelRules, validateObject, type ValidateOptions } from './validate.js';
export { CelError, compileCel, SUPPORTED_CEL_FUNCTIONS, type CompiledCel } from './cel.js';
export { validateObjectMeta, type ObjectMetaOptions } from './metadata.js';
export type { SchemaViolation, ViolationRule } from './types.js';
