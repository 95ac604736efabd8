// The v1 kinds the converter reads (src/convert/kinds/), for the verbs that convert live jobs. Kept apart
// from kinds.ts so that flag parsing (loaded for --help) does not load the converter and its schemas.
import { sourceKind } from '../convert/kinds/index.js';
import { V1_JOB_KINDS, type V1JobKind } from './kinds.js';

/**
 * The kinds the converter reads, so the verbs that convert (preview, apply-v2, migrate) act on them only: a
 * named job of another kind is reported, a selector skips it. Follows the registry: a kind converts as soon
 * as its folder is registered in src/convert/kinds/index.ts.
 */
export const CONVERTIBLE_KINDS: readonly V1JobKind[] = V1_JOB_KINDS.filter((k) => sourceKind(k.kind) !== undefined);
