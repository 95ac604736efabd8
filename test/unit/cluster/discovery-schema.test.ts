import { describe, expect, it } from '@jest/globals';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { crdVersionSchema, trainerSchemaFrom } from '../../../src/cluster/discovery.js';

// The upstream CRDs of each release (copied into upstream/): the decision runs on the real schemas.
const crd = (release: string, plural: string): Record<string, unknown> =>
  parse(fs.readFileSync(path.join('upstream', `trainer-${release}`, 'crds', `trainer.kubeflow.org_${plural}.yaml`), 'utf8')) as Record<string, unknown>;

describe('trainerSchemaFrom on upstream CRDs', () => {
  it.each([
    ['v2.0.0', 'v2.0'],
    ['v2.1.0', 'v2.1'],
    ['v2.2.1', 'v2.2'],
    ['v2.3.0', 'v2.3'],
  ])('Trainer %s CRDs are schema %s', (release, expected) => {
    const { schema, evidence } = trainerSchemaFrom(crdVersionSchema(crd(release, 'trainjobs')), crdVersionSchema(crd(release, 'trainingruntimes')));
    expect(schema).toBe(expected);
    expect(evidence.length).toBeGreaterThan(0);
  });

  it('says v2.2 (and why) when the runtime schema is not readable', () => {
    const { schema, evidence } = trainerSchemaFrom(crdVersionSchema(crd('v2.3.0', 'trainjobs')), undefined);
    expect(schema).toBe('v2.2');
    expect(evidence.join('\n')).toMatch(/cannot tell v2.3 from v2.2/);
  });

  it('an unknown schema gives no answer', () => {
    expect(trainerSchemaFrom({ properties: { spec: { properties: { foo: {} } } } }, undefined).schema).toBeUndefined();
  });
});
