/** Which check a {@link SchemaViolation} comes from; stable strings so callers can map them to finding codes. */
export type ViolationRule =
  | 'type'
  | 'unknown-field'
  | 'required'
  | 'nullable'
  | 'enum'
  | 'format'
  | 'minimum'
  | 'maximum'
  | 'minLength'
  | 'maxLength'
  | 'pattern'
  | 'minItems'
  | 'maxItems'
  | 'uniqueItems'
  | 'minProperties'
  | 'maxProperties'
  | 'list-type'
  | 'anyOf'
  | 'oneOf'
  | 'allOf'
  | 'not'
  | 'metadata'
  | 'gvk'
  | 'cel'
  | 'cel-unsupported';

/** One way an object breaks its CRD schema, located by a kubectl-style field path. */
export interface SchemaViolation {
  /** Field path such as "spec.trainer.numNodes", "spec.runtimePatches[0].manager" or "metadata.labels[app]"; "" is the root. */
  path: string;
  /** Human-readable reason, close to the apiserver's wording. */
  message: string;
  /** The schema keyword or check that failed. */
  rule: ViolationRule;
  /** For CEL rules that declare one, the apiserver's `reason` (e.g. "FieldValueForbidden"). */
  reason?: string;
}
