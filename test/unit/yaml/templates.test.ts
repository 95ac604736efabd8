import { describe, expect, test } from '@jest/globals';
import { parse } from 'yaml';
import { findTemplateInText, findTemplateInValue, locateInText } from '../../../src/yaml/templates.js';

const job = (spec: string) => parse(`apiVersion: kubeflow.org/v1\nkind: PyTorchJob\nmetadata:\n  name: j\n${spec}`);

describe('findTemplateInValue', () => {
  test.each([
    ['replicas: $NUM_NODES', '$NUM_NODES'],
    ['image: ${IMAGE}', '${IMAGE}'],
    ['image: registry.example.com/${REPO}:${TAG}', '${REPO}'],
    ['image: "{{ .Values.image }}"', '{{ .Values.image }}'],
    ['name: job-${SUFFIX:-dev}', '${SUFFIX:-dev}'],
  ])('a training job with %s', (line, variable) => {
    expect(findTemplateInValue(job(`spec:\n  x:\n    ${line}\n`))?.variable).toBe(variable);
  });

  test('names the path of the first variable', () => {
    expect(findTemplateInValue(job('spec:\n  a: 1\n  b:\n    - c: ${X}\n'))).toEqual({ variable: '${X}', engine: 'envsubst', path: 'spec.b[0].c' });
  });

  test('shell text in command/args is not a template', () => {
    expect(findTemplateInValue(job('spec:\n  command: ["sh", "-c", "torchrun --nnodes=${PET_NNODES} $SCRIPT"]\n  args: ["$HOME"]\n'))).toBeUndefined();
  });

  test('an env value counts only when it is nothing but a placeholder', () => {
    expect(findTemplateInValue(job('spec:\n  env:\n    - name: A\n      value: "path is $HOME/x"\n'))).toBeUndefined();
    expect(findTemplateInValue(job('spec:\n  env:\n    - name: LR\n      value: ${LR}\n'))?.variable).toBe('${LR}');
  });

  test('Katib trial placeholders and other objects\' scripts are not templates', () => {
    expect(findTemplateInValue(parse('apiVersion: kubeflow.org/v1beta1\nkind: Experiment\nspec:\n  x: ${trialParameters.lr}\n'))).toBeUndefined();
    expect(findTemplateInValue(parse('apiVersion: v1\nkind: ConfigMap\ndata:\n  run.sh: "echo $HOME {{x}}"\n'))).toBeUndefined();
    expect(findTemplateInValue(parse('apiVersion: v1\nkind: Service\nmetadata:\n  name: $NAME\n'))).toBeUndefined();
    expect(findTemplateInValue(parse('apiVersion: v1\nkind: Service\nmetadata:\n  name: "{{ .Release.Name }}"\n'))?.variable).toBe('{{ .Release.Name }}');
  });

  test('List items that are training jobs are checked', () => {
    expect(findTemplateInValue(parse('apiVersion: v1\nkind: List\nitems:\n- apiVersion: kubeflow.org/v1\n  kind: PyTorchJob\n  spec:\n    replicas: $N\n'))?.path).toBe('items[0].spec.replicas');
  });
});

describe('findTemplateInText', () => {
  test('finds a Go template action outside comments', () => {
    const text = '# {{ in a comment }}\nmetadata:\n  name: {{ .Release.Name }}\n';
    const t = findTemplateInText(text)!;
    expect(t.variable).toBe('{{ .Release.Name }}');
    expect(locateInText(text.slice(0, t.offset) + t.variable, t.variable)).toEqual({ line: 3, column: 9 });
  });
});
