/** Test builders: aPyTorchJob().withWorkers(3).withNproc('4').build() instead of long literals. */
import type { JsonObject } from '../src/convert/model.js';

/** A fluent builder of PyTorchJob manifests for unit tests. */
export class PyTorchJobBuilder {
  private job: any = {
    apiVersion: 'kubeflow.org/v1',
    kind: 'PyTorchJob',
    metadata: { name: 'train', namespace: 'ml' },
    spec: { pytorchReplicaSpecs: {} },
  };
  private container: JsonObject = { name: 'pytorch', image: 'ghcr.io/acme/train:1.0', command: ['torchrun', 'train.py'] };
  private master = true;
  private workers = 1;
  private podSpec: JsonObject = {};

  withName(name: string): this { this.job.metadata.name = name; return this; }
  withoutMaster(): this { this.master = false; return this; }
  withWorkers(n: number): this { this.workers = n; return this; }
  withCommand(...command: string[]): this { this.container.command = command; return this; }
  withArgs(...args: string[]): this { this.container.args = args; return this; }
  withEnv(env: JsonObject[]): this { this.container.env = env; return this; }
  withContainerField(key: string, value: unknown): this { this.container[key] = value; return this; }
  withPodField(key: string, value: unknown): this { this.podSpec[key] = value; return this; }
  withNproc(value: string): this { this.job.spec.nprocPerNode = value; return this; }
  withRunPolicy(rp: JsonObject): this { this.job.spec.runPolicy = rp; return this; }
  withElastic(ep: JsonObject): this { this.job.spec.elasticPolicy = ep; return this; }
  withLabels(labels: Record<string, string>): this { this.job.metadata.labels = labels; return this; }

  build(): JsonObject {
    const template = () => ({ spec: { ...JSON.parse(JSON.stringify(this.podSpec)), containers: [JSON.parse(JSON.stringify(this.container))] } });
    const specs: JsonObject = {};
    if (this.master) specs.Master = { replicas: 1, restartPolicy: 'OnFailure', template: template() };
    if (this.workers > 0) specs.Worker = { replicas: this.workers, restartPolicy: 'OnFailure', template: template() };
    const job = JSON.parse(JSON.stringify(this.job));
    job.spec.pytorchReplicaSpecs = specs;
    return job;
  }
}

/** Starts a PyTorchJob builder: Master + 1 Worker running torchrun. */
export const aPyTorchJob = () => new PyTorchJobBuilder();
