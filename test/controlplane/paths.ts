// Where the control plane's binaries, CRDs and scratch space live.
// No import.meta here: global-setup.ts loads these files as CommonJS (see the comment there).
import { accessSync, constants, existsSync } from 'node:fs';
import * as path from 'node:path';

function findRepoRoot(): string {
  if (process.env.KTJ_REPO_ROOT) return process.env.KTJ_REPO_ROOT; // set by global-setup.ts from Jest's rootDir
  for (let dir = process.cwd(); ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'test/controlplane/build.sh'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`cannot find the kubectl-trainjob repository above ${process.cwd()}; set KTJ_REPO_ROOT`);
  }
}

/** Absolute path of the repository root (KTJ_REPO_ROOT, else found upwards from the working directory). */
export const REPO_ROOT = findRepoRoot();

/** Directory (git-ignored) that holds one sub-directory per running control plane; KTJ_CP_WORK_ROOT overrides it. */
export function workRoot(): string {
  return process.env.KTJ_CP_WORK_ROOT ?? path.join(REPO_ROOT, 'test/controlplane/.work');
}

/** Paths of the two binaries a control plane needs. */
export interface ControlPlaneBinaries {
  kubeApiserver: string;
  etcd: string;
}

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Finds kube-apiserver and etcd the way envtest does: TEST_ASSET_KUBE_APISERVER / TEST_ASSET_ETCD,
 * then the KUBEBUILDER_ASSETS directory, then KTJ_BIN_DIR or <repo>/bin; throws a how-to-fix error.
 */
export function findBinaries(): ControlPlaneBinaries {
  const dir = process.env.KUBEBUILDER_ASSETS ?? process.env.KTJ_BIN_DIR ?? path.join(REPO_ROOT, 'bin');
  const found = {
    kubeApiserver: process.env.TEST_ASSET_KUBE_APISERVER ?? path.join(dir, 'kube-apiserver'),
    etcd: process.env.TEST_ASSET_ETCD ?? path.join(dir, 'etcd'),
  };
  const missing = Object.values(found).filter((f) => !executable(f));
  if (missing.length > 0) {
    throw new Error(`control-plane binaries missing: ${missing.join(', ')}.\n`
      + '  Build them once with:  bash test/controlplane/build.sh   (cold: ~4 min on 2 cores; see docs/testing.md)\n'
      + '  or point KUBEBUILDER_ASSETS / TEST_ASSET_KUBE_APISERVER / TEST_ASSET_ETCD at existing binaries,\n'
      + '  or run against a cluster with USE_EXISTING_CLUSTER=true KTJ_TEST_KUBECONFIG=<file>.');
  }
  return found;
}
