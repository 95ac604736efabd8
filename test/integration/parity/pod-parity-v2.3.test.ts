// Pod parity of every golden case: Training Operator v1.9.2 vs Trainer v2.3 (see suite.ts, docs/testing.md).
import { paritySuite } from './suite.js';

paritySuite('v2.3');
