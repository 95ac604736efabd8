// What global-setup.ts runs: one control plane per Jest run.
//
// Jest forks its workers after globalSetup returns, so the env vars set here are how workers find
// the plane (test/controlplane/harness.ts reads them). Values on globalThis reach globalTeardown only.
import { ControlPlane } from './control-plane.js';
import { HarnessEnv } from './env.js';
import { KubeClient } from './kube-client.js';
import { DEFAULT_TRAINER_VERSION, installBaseCrds, switchTrainerVersion } from './trainer.js';

/** What globalSetup leaves on globalThis for globalTeardown. */
export interface GlobalPlane {
  plane: ControlPlane;
}

declare global {
  // eslint-disable-next-line no-var
  var __KTJ_CONTROL_PLANE__: GlobalPlane | undefined;
}

async function installCrds(kubeconfig: string): Promise<void> {
  const client = await KubeClient.fromKubeconfig(kubeconfig);
  try {
    await installBaseCrds(client);
    await switchTrainerVersion(client, DEFAULT_TRAINER_VERSION);
  } finally {
    client.close();
  }
}

/** Starts etcd + kube-apiserver (or attaches to USE_EXISTING_CLUSTER), installs the CRDs and exports the harness env vars. */
export async function setUpControlPlane(): Promise<void> {
  if (process.env.USE_EXISTING_CLUSTER === 'true') {
    const kubeconfig = process.env[HarnessEnv.kubeconfig];
    if (!kubeconfig) throw new Error(`USE_EXISTING_CLUSTER=true needs ${HarnessEnv.kubeconfig}=<admin kubeconfig>`);
    await installCrds(kubeconfig);
    return;
  }
  const started = Date.now();
  // ControlPlane handles SIGINT/SIGTERM/exit of this process itself (even while starting).
  const plane = await ControlPlane.start({ label: 'jest' });
  globalThis.__KTJ_CONTROL_PLANE__ = { plane };
  // Set before installing CRDs: the Trainer version lease lives in the work dir named here.
  process.env[HarnessEnv.kubeconfig] = plane.adminKubeconfig;
  process.env[HarnessEnv.workDir] = plane.workDir;
  process.env[HarnessEnv.apiserverUrl] = plane.apiserverUrl;
  try {
    await installCrds(plane.adminKubeconfig);
  } catch (err) {
    await plane.stop();
    throw err;
  }
  if (process.env.KTJ_CP_VERBOSE === '1' || process.env.KTJ_KEEP_CP === '1') {
    process.stderr.write(`\ncontrol plane: ${plane.apiserverUrl} ready in ${plane.state.startedInMs} ms, `
      + `CRDs in ${Date.now() - started - plane.state.startedInMs} ms; work dir ${plane.workDir}\n`);
  }
}
