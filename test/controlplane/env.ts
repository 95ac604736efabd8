// Names of the env vars through which globalSetup tells Jest workers where the control plane is.

/** Env vars the harness reads in Jest workers. */
export const HarnessEnv = {
  /** Admin kubeconfig (CN=admin, O=system:masters, or the existing cluster's). */
  kubeconfig: 'KTJ_TEST_KUBECONFIG',
  /** Work dir of the plane: certs/ (client CA for userKubeconfig), logs, state.json, lease files. */
  workDir: 'KTJ_CP_WORKDIR',
  /** https://127.0.0.1:<port> of the plane. */
  apiserverUrl: 'KTJ_CP_APISERVER_URL',
} as const;
