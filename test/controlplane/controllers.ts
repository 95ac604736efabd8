// A private control plane with the real controllers running next to it: kube-controller-manager
// (Jobs -> Pods, garbage collection), Kubeflow Training Operator v1 (PyTorchJob & co. -> Pods),
// mpi-operator (MPIJob kubeflow.org/v2beta1 -> launcher Job + worker Pods),
// JobSet and Kubeflow Trainer v2 (TrainJob -> JobSet -> Jobs), each built from its pinned Go module
// by build.sh, each serving its webhooks for real.
//
// Why a private plane and not the run's shared one: the shared plane switches its cluster-scoped
// Trainer CRDs between versions under a lease, and most tests rely on nothing reacting to what they
// create. A controller plane is owned by one test file, holds one Trainer release for its lifetime,
// and is thrown away afterwards.
//
// Webhooks: Trainer and JobSet have their certificate management switched off in their
// configuration; the harness gives each a serving certificate for 127.0.0.1 signed by the plane's CA
// and installs the upstream webhook configurations with `clientConfig.url` and that CA
// (webhooks.ts). The Training Operator's certificate rotator cannot be switched off: it gets the
// Secret and namespace it insists on, keeps rewriting its own fixed-name configuration (which the
// harness never creates), and the harness registers the same upstream webhooks under another name.
// Each configuration is registered only once its server answers, and then probed with an object
// the webhook (not the CRD schema) must reject, so a test never races the apiserver's webhook
// informer.
import { randomBytes } from 'node:crypto';
import { accessSync, constants, existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { mintWebhookServingCert } from './certs.js';
import { ControlPlane, freePort, tail } from './control-plane.js';
import { KubeClient } from './kube-client.js';
import { createOrReplace, pollUntil, readYamlObjects, serverSideApply, waitForCrd, type KubeObject } from './objects.js';
import { REPO_ROOT } from './paths.js';
import type { TrainerVersion } from './trainer.js';
import { pointWebhooksAt, webhookConfigurations } from './webhooks.js';

const UPSTREAM = path.join(REPO_ROOT, 'upstream');

/** Directory with the binaries build.sh produced (KTJ_BIN_DIR, else <repo>/bin). */
export function binDir(): string {
  return process.env.KTJ_BIN_DIR ?? path.join(REPO_ROOT, 'bin');
}

/** Path of a binary built by build.sh; throws a how-to-fix error when it is missing. */
export function builtBinary(name: string): string {
  const file = path.join(binDir(), name);
  try {
    accessSync(file, constants.X_OK);
  } catch {
    throw new Error(`${file} is missing: build it with  bash test/controlplane/build.sh ${name}  `
      + '(or plain build.sh for everything; cold builds take minutes, see docs/testing.md)');
  }
  return file;
}

// ---------------------------------------------------------------------------------------------
// The catalogue. Adding a Trainer release or a v1 kind is adding an entry here (plus, for a new
// release, its wrapper module under controllers/ and its upstream/ copies).

/** One Trainer release the harness can run, with the JobSet release it pins. */
export interface TrainerRelease {
  /** build.sh component (bin/ name) of trainer-controller-manager. */
  trainerBinary: string;
  /** upstream/ folder with its CRDs, runtimes/ and rendered/ install manifests. */
  upstreamDir: string;
  /** build.sh component of the JobSet controller this release pins (kustomize third-party/jobset). */
  jobsetBinary: string;
  /** upstream/ folder with that JobSet's CRD and rendered install manifests. */
  jobsetUpstreamDir: string;
}

/** Trainer releases whose controllers the harness builds and runs. */
export const TRAINER_RELEASES = {
  'v2.1': { trainerBinary: 'trainer-v2.1.0', upstreamDir: 'trainer-v2.1.0', jobsetBinary: 'jobset-v0.10.1', jobsetUpstreamDir: 'trainer-v2.1.0/jobset-v0.10.1' },
  'v2.3': { trainerBinary: 'trainer-v2.3.0', upstreamDir: 'trainer-v2.3.0', jobsetBinary: 'jobset-v0.12.0', jobsetUpstreamDir: 'trainer-v2.3.0/jobset-v0.12.0' },
} as const satisfies Partial<Record<TrainerVersion, TrainerRelease>>;

/** A Trainer version whose real controller and webhooks the harness can run. */
export type ControllerTrainerVersion = keyof typeof TRAINER_RELEASES;

/** Every Trainer version with real controllers, oldest first. */
export const CONTROLLER_TRAINER_VERSIONS = Object.keys(TRAINER_RELEASES) as ControllerTrainerVersion[];

/** The Training Operator v1 release the harness runs (it serves every v1 kind). */
export const TRAINING_OPERATOR = {
  binary: 'training-operator-v1.9.2',
  rendered: 'training-operator-v1.9.2/rendered/overlays-standalone.noncrd.yaml',
  /** Namespace and Secret its certificate rotator requires (pkg/cert/cert.go; the manager exits without them). */
  namespace: 'kubeflow',
  certSecret: 'training-operator-webhook-cert',
} as const;

/**
 * The mpi-operator release the harness runs for MPIJob kubeflow.org/v2beta1. Its CRD has the same name
 * as the Training Operator's MPIJob v1 CRD (mpijobs.kubeflow.org), so a cluster runs one or the other.
 */
export const MPI_OPERATOR = {
  binary: 'mpi-operator-v0.8.0',
  crd: 'mpi-operator-v0.8.0/crds/kubeflow.org_mpijobs.yaml',
  /** Namespace of its leader-election Lease (--lock-namespace; it cannot run without leader election). */
  lockNamespace: 'mpi-operator',
  /** Its health server's port, fixed in cmd/mpi-operator/app/server.go (healthCheckPort): one mpi-operator per machine at a time. */
  healthPort: 8080,
} as const;

/** v1 kinds the Training Operator serves, by its --enable-scheme name. */
export const V1_SCHEMES = {
  pytorchjob: { kind: 'PyTorchJob', plural: 'pytorchjobs' },
  tfjob: { kind: 'TFJob', plural: 'tfjobs' },
  mpijob: { kind: 'MPIJob', plural: 'mpijobs' },
  xgboostjob: { kind: 'XGBoostJob', plural: 'xgboostjobs' },
  paddlejob: { kind: 'PaddleJob', plural: 'paddlejobs' },
  jaxjob: { kind: 'JAXJob', plural: 'jaxjobs' },
} as const;

/** A Training Operator --enable-scheme value. */
export type V1Scheme = keyof typeof V1_SCHEMES;

/**
 * The CRD file of a v1 kind: the project's upstream/ copy when it has one, else the copy build.sh
 * took from the same pinned module the operator binary was built from (bin/assets/, git-ignored).
 */
export function v1CrdFile(scheme: V1Scheme): string {
  const file = `kubeflow.org_${V1_SCHEMES[scheme].plural}.yaml`;
  const candidates = [
    path.join(UPSTREAM, 'training-operator-v1.9.2/crds', file),
    path.join(binDir(), 'assets', TRAINING_OPERATOR.binary, 'crds', file),
  ];
  const found = candidates.find((f) => existsSync(f));
  if (!found) throw new Error(`no CRD for ${scheme}: looked in ${candidates.join(', ')}; run bash test/controlplane/build.sh ${TRAINING_OPERATOR.binary}`);
  return found;
}

/** Stock runtimes of a Trainer release (every runtime YAML under its upstream runtimes/ folder). */
export function stockRuntimeFiles(version: ControllerTrainerVersion): string[] {
  const root = path.join(UPSTREAM, TRAINER_RELEASES[version].upstreamDir, 'runtimes');
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir).sort()) {
      const p = path.join(dir, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (e.endsWith('.yaml') && e !== 'kustomization.yaml') files.push(p);
    }
  };
  walk(root);
  return files;
}

// ---------------------------------------------------------------------------------------------

/** What to run next to the plane's etcd and kube-apiserver. */
export interface ControllerClusterOptions {
  /** Run JobSet and Trainer of this release (CRDs, controllers, webhooks). */
  trainer?: ControllerTrainerVersion;
  /** Run the JobSet controller too (default true when `trainer` is set; a webhook-only cluster can skip it). */
  jobset?: boolean;
  /** Run the Training Operator v1 for these kinds (default: not at all). */
  trainingOperator?: readonly V1Scheme[];
  /** Run mpi-operator for MPIJob kubeflow.org/v2beta1 (default false; not with the Training Operator's `mpijob` scheme). */
  mpiOperator?: boolean;
  /** Run kube-controller-manager with the job and garbagecollector controllers (default false). */
  kubeControllerManager?: boolean;
  /**
   * Stock ClusterTrainingRuntimes to install once Trainer's webhooks are up: `'all'` of the
   * release, or file names under its runtimes/ folder (default `['torch_distributed.yaml']`).
   */
  runtimes?: 'all' | readonly string[];
  /** Short label used in the work dir name. */
  label?: string;
}

/** How long each step took (ms), for docs/testing.md and KTJ_CP_VERBOSE. */
export interface StartTimings {
  plane: number;
  crds: number;
  controllers: Record<string, number>;
  runtimes: number;
  total: number;
}

function httpStatus(url: string): Promise<number> {
  const mod = url.startsWith('https:') ? https : http;
  return new Promise((resolve) => {
    const req = mod.get(url, { timeout: 2_000, rejectUnauthorized: false }, (res) => { res.resume(); resolve(res.statusCode ?? 0); });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
  });
}

const START_TIMEOUT_MS = 120_000; // a busy 2-core machine: the Go managers start in seconds, CRD caches sync after
const MAX_PORT_ATTEMPTS = 3;

/** A control plane with real controllers; see the file comment. Stop it in afterAll. */
export class ControllerCluster {
  readonly plane: ControlPlane;
  readonly options: ControllerClusterOptions;
  readonly timings: StartTimings = { plane: 0, crds: 0, controllers: {}, runtimes: 0, total: 0 };
  private adminClient?: KubeClient;
  private caPem = '';

  private constructor(plane: ControlPlane, options: ControllerClusterOptions) {
    this.plane = plane;
    this.options = options;
  }

  /** Starts a fresh plane and the requested controllers; resolves once every webhook is in the request path. */
  static async start(options: ControllerClusterOptions): Promise<ControllerCluster> {
    const t0 = Date.now();
    // Fail before starting anything when a binary is missing or the options cannot coexist.
    for (const b of ControllerCluster.binariesFor(options)) builtBinary(b);
    if (options.mpiOperator && options.trainingOperator?.includes('mpijob')) {
      throw new Error('mpi-operator (MPIJob v2beta1) and the Training Operator\'s mpijob scheme (MPIJob v1) both need the CRD mpijobs.kubeflow.org: start one per cluster');
    }
    const plane = await ControlPlane.start({ label: options.label ?? `ctrl-${options.trainer ?? 'v1'}` });
    const cluster = new ControllerCluster(plane, options);
    try {
      cluster.timings.plane = Date.now() - t0;
      await cluster.boot();
      cluster.timings.total = Date.now() - t0;
      if (process.env.KTJ_CP_VERBOSE === '1') process.stderr.write(`controller cluster ${plane.workDir}: ${JSON.stringify(cluster.timings)}\n`);
      return cluster;
    } catch (err) {
      await cluster.stop();
      throw err;
    }
  }

  /** The build.sh components these options need. */
  static binariesFor(o: ControllerClusterOptions): string[] {
    const out: string[] = [];
    if (o.kubeControllerManager) out.push('kube-controller-manager');
    if (o.trainer) {
      if (o.jobset ?? true) out.push(TRAINER_RELEASES[o.trainer].jobsetBinary);
      out.push(TRAINER_RELEASES[o.trainer].trainerBinary);
    }
    if (o.trainingOperator?.length) out.push(TRAINING_OPERATOR.binary);
    if (o.mpiOperator) out.push(MPI_OPERATOR.binary);
    return out;
  }

  /** Admin kubeconfig of this cluster. */
  get kubeconfig(): string {
    return this.plane.adminKubeconfig;
  }

  /** A raw client authenticated as admin (shared; closed by stop()). */
  async client(): Promise<KubeClient> {
    this.adminClient ??= await KubeClient.fromKubeconfig(this.plane.adminKubeconfig);
    return this.adminClient;
  }

  /** Creates a fresh namespace `<prefix>-<random>` and returns its name. */
  async namespace(prefix = 'ktj'): Promise<string> {
    const name = `${prefix.toLowerCase().replace(/[^a-z0-9-]/g, '-').slice(0, 40)}-${randomBytes(3).toString('hex')}`;
    await (await this.client()).ok('POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name } } });
    return name;
  }

  /** The last lines of a controller's log (names: kube-controller-manager, jobset, trainer, training-operator, mpi-operator). */
  log(name: string, lines = 40): string {
    return tail(this.plane.logFile(name), lines);
  }

  /** Stops the controllers, then the plane; removes the work dir unless KTJ_KEEP_CP=1. */
  async stop(): Promise<void> {
    this.adminClient?.close();
    this.adminClient = undefined;
    await this.plane.stop();
  }

  private async boot(): Promise<void> {
    const o = this.options;
    const client = await this.client();
    this.caPem = mintWebhookServingCert(this.plane.state.certDir, path.join(this.plane.workDir, 'webhook-certs'));

    const t1 = Date.now();
    const crds: KubeObject[] = [];
    if (o.trainer) {
      const rel = TRAINER_RELEASES[o.trainer];
      crds.push(...readYamlObjects(path.join(UPSTREAM, rel.jobsetUpstreamDir, 'crds/jobset.x-k8s.io_jobsets.yaml')));
      for (const f of ['trainer.kubeflow.org_trainingruntimes.yaml', 'trainer.kubeflow.org_clustertrainingruntimes.yaml', 'trainer.kubeflow.org_trainjobs.yaml']) {
        crds.push(...readYamlObjects(path.join(UPSTREAM, rel.upstreamDir, 'crds', f)));
      }
    }
    for (const s of o.trainingOperator ?? []) crds.push(...readYamlObjects(v1CrdFile(s)));
    if (o.mpiOperator) crds.push(...readYamlObjects(path.join(UPSTREAM, MPI_OPERATOR.crd)));
    for (const crd of crds) await createOrReplace(client, crd);
    for (const crd of crds) await waitForCrd(client, crd);
    this.timings.crds = Date.now() - t1;

    // Started one after another: on 2 shared cores, parallel starts only make each slower.
    if (o.kubeControllerManager) await this.timed('kube-controller-manager', () => this.startKubeControllerManager());
    if (o.trainer && (o.jobset ?? true)) await this.timed('jobset', () => this.startJobSet(o.trainer!));
    if (o.trainer) await this.timed('trainer', () => this.startTrainer(o.trainer!));
    if (o.trainingOperator?.length) await this.timed('training-operator', () => this.startTrainingOperator(o.trainingOperator!));
    if (o.mpiOperator) await this.timed('mpi-operator', () => this.startMpiOperator());

    if (o.trainer) {
      const t2 = Date.now();
      const wanted = o.runtimes ?? ['torch_distributed.yaml'];
      const files = stockRuntimeFiles(o.trainer).filter((f) => wanted === 'all' || wanted.includes(path.basename(f)));
      if (wanted !== 'all' && files.length !== wanted.length) throw new Error(`unknown runtime file(s) in ${JSON.stringify(wanted)} for Trainer ${o.trainer}`);
      for (const f of files) for (const rt of readYamlObjects(f)) await serverSideApply(client, rt);
      this.timings.runtimes = Date.now() - t2;
    }
  }

  private async timed(name: string, fn: () => Promise<void>): Promise<void> {
    const t = Date.now();
    await fn();
    this.timings.controllers[name] = Date.now() - t;
  }

  /**
   * Spawns a controller and waits until `healthUrl(ports)` answers 200; retries with fresh ports
   * when a port was taken between probing and binding.
   */
  private async launch(name: string, binary: string, ports: number,
    build: (p: number[]) => { args: string[]; env?: NodeJS.ProcessEnv; healthUrl: string }): Promise<[number, ...number[]]> {
    for (let attempt = 1; ; attempt++) {
      const p: number[] = [];
      for (let i = 0; i < ports; i++) p.push(await freePort());
      const { args, env, healthUrl } = build(p);
      const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
      delete childEnv.KUBECONFIG; // always --kubeconfig: never an ambient cluster
      const child = this.plane.spawnAttached(name, builtBinary(binary), args, childEnv);
      const deadline = Date.now() + START_TIMEOUT_MS;
      for (;;) {
        if (child.exitCode !== null || child.signalCode !== null) {
          const log = tail(this.plane.logFile(name), 60);
          await this.plane.stopAttached(name);
          if (/address already in use/i.test(log) && attempt < MAX_PORT_ATTEMPTS) break;
          throw new Error(`${name} exited (code ${child.exitCode}, signal ${child.signalCode}) before it was ready. `
            + `Last lines of ${this.plane.logFile(name)}:\n${log}`);
        }
        if ((await httpStatus(healthUrl)) === 200) return p as [number, ...number[]];
        if (Date.now() > deadline) {
          throw new Error(`${name} not ready after ${START_TIMEOUT_MS} ms (${healthUrl}). Last lines of ${this.plane.logFile(name)}:\n${tail(this.plane.logFile(name), 60)}`);
        }
        await sleep(200);
      }
    }
  }

  private commonFlags(): string[] {
    return [`--kubeconfig=${this.plane.adminKubeconfig}`];
  }

  private async startKubeControllerManager(): Promise<void> {
    await this.launch('kube-controller-manager', 'kube-controller-manager', 1, ([port]) => ({
      args: [
        ...this.commonFlags(),
        '--leader-elect=false',
        '--controllers=job,garbagecollector',
        '--bind-address=127.0.0.1', `--secure-port=${port}`,
        '--authorization-always-allow-paths=/healthz,/readyz,/livez',
        '--authentication-skip-lookup=true',
        '--kube-api-qps=100', '--kube-api-burst=200',
        `--cert-dir=${path.join(this.plane.workDir, 'kcm-certs')}`,
      ],
      healthUrl: `https://127.0.0.1:${port}/healthz`,
    }));
  }

  private async startJobSet(version: ControllerTrainerVersion): Promise<void> {
    const rel = TRAINER_RELEASES[version];
    const certDir = path.join(this.plane.workDir, 'webhook-certs');
    const [webhookPort] = await this.launch('jobset', rel.jobsetBinary, 2, ([webhook, health]) => {
      const config = path.join(this.plane.workDir, 'jobset-config.yaml');
      writeFileSync(config, [
        'apiVersion: config.jobset.x-k8s.io/v1alpha1',
        'kind: Configuration',
        'internalCertManagement:',
        '  enable: false',
        'webhook:',
        '  host: 127.0.0.1',
        `  port: ${webhook}`,
        `  certDir: ${certDir}`,
        '',
      ].join('\n'));
      return {
        args: [...this.commonFlags(), `--config=${config}`, '--metrics-bind-address=0', `--health-probe-bind-address=127.0.0.1:${health}`, '--leader-elect=false'],
        healthUrl: `http://127.0.0.1:${health}/readyz`,
      };
    });
    const rendered = readYamlObjects(path.join(UPSTREAM, rel.jobsetUpstreamDir, 'rendered/config-default-in-kubeflow-system.noncrd.yaml'));
    await this.registerWebhooks(pointWebhooksAt(webhookConfigurations(rendered), { port: webhookPort, caPem: this.caPem }), {
      what: 'JobSet', webhookName: 'vjobset.kb.io', path: '/apis/jobset.x-k8s.io/v1alpha2/namespaces/default/jobsets',
      // 63 characters pass the CRD; JobSet's webhook rejects pod names longer than 63.
      body: { apiVersion: 'jobset.x-k8s.io/v1alpha2', kind: 'JobSet', metadata: { name: `ktj-probe-${'x'.repeat(53)}` },
        spec: { replicatedJobs: [{ name: 'node', replicas: 1, template: { spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } } } } }] } },
    });
  }

  private async startTrainer(version: ControllerTrainerVersion): Promise<void> {
    const rel = TRAINER_RELEASES[version];
    // controller-runtime's webhook server reads $TMPDIR/k8s-webhook-server/serving-certs/tls.{crt,key}.
    const tmp = path.join(this.plane.workDir, 'trainer-tmp');
    mintWebhookServingCert(this.plane.state.certDir, path.join(tmp, 'k8s-webhook-server/serving-certs'));
    const [webhookPort] = await this.launch('trainer', rel.trainerBinary, 2, ([webhook, health]) => {
      const config = path.join(this.plane.workDir, 'trainer-config.yaml');
      writeFileSync(config, [
        'apiVersion: config.trainer.kubeflow.org/v1alpha1',
        'kind: Configuration',
        'certManagement:',
        '  enable: false',
        'webhook:',
        '  host: 127.0.0.1',
        `  port: ${webhook}`,
        'metrics:',
        '  bindAddress: "0"',
        'health:',
        `  healthProbeBindAddress: 127.0.0.1:${health}`,
        '',
      ].join('\n'));
      return {
        args: [...this.commonFlags(), `--config=${config}`],
        env: { TMPDIR: tmp },
        healthUrl: `http://127.0.0.1:${health}/readyz`,
      };
    });
    const rendered = readYamlObjects(path.join(UPSTREAM, rel.upstreamDir, 'rendered/overlays-manager.noncrd-nojobset.yaml'));
    await this.registerWebhooks(pointWebhooksAt(webhookConfigurations(rendered), { port: webhookPort, caPem: this.caPem }), {
      what: 'Trainer', webhookName: 'validator.trainjob.trainer.kubeflow.org', path: '/apis/trainer.kubeflow.org/v1alpha1/namespaces/default/trainjobs',
      // The CRD accepts it; the webhook rejects it because the runtime does not exist.
      body: { apiVersion: 'trainer.kubeflow.org/v1alpha1', kind: 'TrainJob', metadata: { name: 'ktj-webhook-probe' }, spec: { runtimeRef: { name: 'ktj-no-such-runtime' } } },
    });
  }

  private async startTrainingOperator(schemes: readonly V1Scheme[]): Promise<void> {
    const client = await this.client();
    // The rotator's prerequisites (control-plane.md §4.c): namespace + Secret, or the manager exits.
    await client.request('POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: TRAINING_OPERATOR.namespace } } });
    await client.request('POST', `/api/v1/namespaces/${TRAINING_OPERATOR.namespace}/secrets`, {
      body: { apiVersion: 'v1', kind: 'Secret', metadata: { name: TRAINING_OPERATOR.certSecret } },
    });
    ensureRotatorCertFile();
    const tmp = path.join(this.plane.workDir, 'training-operator-tmp');
    mintWebhookServingCert(this.plane.state.certDir, path.join(tmp, 'k8s-webhook-server/serving-certs'));
    const [webhookPort] = await this.launch('training-operator', TRAINING_OPERATOR.binary, 2, ([webhook, health]) => ({
      args: [
        ...this.commonFlags(),
        ...schemes.map((s) => `--enable-scheme=${s}`),
        '--metrics-bind-address=0', `--health-probe-bind-address=127.0.0.1:${health}`,
        `--webhook-server-port=${webhook}`, '--leader-elect=false',
        // Defaults are 1 worker and 20 QPS: a parity run creates a hundred jobs at once.
        '--controller-threads=4', '--kube-api-qps=100', '--kube-api-burst=200',
      ],
      env: { TMPDIR: tmp, MY_POD_NAMESPACE: TRAINING_OPERATOR.namespace },
      healthUrl: `http://127.0.0.1:${health}/readyz`,
    }));
    const plurals = new Set<string>(schemes.map((s) => V1_SCHEMES[s].plural));
    const configs = pointWebhooksAt(webhookConfigurations(readYamlObjects(path.join(UPSTREAM, TRAINING_OPERATOR.rendered))), {
      port: webhookPort, caPem: this.caPem,
      keep: (h) => (h.rules ?? []).some((r) => (r.resources ?? []).some((res) => plurals.has(res))),
      // Its rotator owns the upstream name and would overwrite our caBundle with its own CA.
      rename: (n) => `ktj-harness.${n}`,
    });
    if (!schemes.includes('pytorchjob')) {
      await this.registerWebhooks(configs);
      return;
    }
    await this.registerWebhooks(configs, {
      what: 'Training Operator', webhookName: 'validator.pytorchjob.training-operator.kubeflow.org', path: '/apis/kubeflow.org/v1/namespaces/default/pytorchjobs',
      // The CRD accepts two Masters; the v1 webhook requires exactly one.
      body: { apiVersion: 'kubeflow.org/v1', kind: 'PyTorchJob', metadata: { name: 'ktj-webhook-probe' },
        spec: { pytorchReplicaSpecs: { Master: { replicas: 2, template: { spec: { containers: [{ name: 'pytorch', image: 'busybox' }] } } } } } },
    });
  }

  private async startMpiOperator(): Promise<void> {
    const client = await this.client();
    await client.request('POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: MPI_OPERATOR.lockNamespace } } });
    // No webhooks; its health server answers once the process runs (it then waits for the Lease and starts its workers).
    await this.launch('mpi-operator', MPI_OPERATOR.binary, 0, () => ({
      args: [
        `--kubeConfig=${this.plane.adminKubeconfig}`,
        `--lock-namespace=${MPI_OPERATOR.lockNamespace}`, '--monitoring-port=0',
        // Defaults are 5 QPS and 2 workers: a parity run creates several jobs at once.
        '--threadiness=4', '--kube-api-qps=100', '--kube-api-burst=200',
      ],
      healthUrl: `http://127.0.0.1:${MPI_OPERATOR.healthPort}/healthz`,
    }));
    // Its workers start only once it leads: wait for the Lease, so the first MPIJob is not left waiting.
    await pollUntil('mpi-operator to take its leader Lease', 60_000, async () => {
      const res = await client.request('GET', `/apis/coordination.k8s.io/v1/namespaces/${MPI_OPERATOR.lockNamespace}/leases/mpi-operator`);
      return res.status === 200 && (res.body as { spec?: { holderIdentity?: string } })?.spec?.holderIdentity ? true : undefined;
    });
  }

  /** Creates the configurations, then dry-runs `probe` until the named webhook rejects it. */
  private async registerWebhooks(configs: readonly KubeObject[], probe?: { what: string; webhookName: string; path: string; body: unknown }): Promise<void> {
    const client = await this.client();
    for (const cfg of configs) await createOrReplace(client, cfg);
    if (!probe) return;
    await pollUntil(`${probe.what}'s webhooks in the request path`, 60_000, async () => {
      const res = await client.request('POST', probe.path, { body: probe.body, query: { dryRun: 'All' } });
      const message = String((res.body as { message?: string } | undefined)?.message ?? res.text);
      return res.status >= 400 && message.includes(`admission webhook "${probe.webhookName}"`) ? true : undefined;
    });
  }
}

/**
 * The Training Operator's certificate rotator waits for a file at this fixed path (pkg/cert/cert.go)
 * and exits the manager after about 17 minutes without it. It only checks that the file exists (the
 * webhook server reads the real certificate from $TMPDIR); create an empty placeholder if absent.
 */
export const TRAINING_OPERATOR_ROTATOR_CERT = '/tmp/k8s-webhook-server/serving-certs/tls.crt';

function ensureRotatorCertFile(): void {
  if (existsSync(TRAINING_OPERATOR_ROTATOR_CERT)) return;
  mkdirSync(path.dirname(TRAINING_OPERATOR_ROTATOR_CERT), { recursive: true });
  try {
    writeFileSync(TRAINING_OPERATOR_ROTATOR_CERT, '', { flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
}
