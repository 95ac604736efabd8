// Jest globalTeardown of the `integration` project: stops the plane started by global-setup.ts.

/** Stops the apiserver, then etcd, and removes the work dir (kept with KTJ_KEEP_CP=1). */
export default async function globalTeardown(): Promise<void> {
  const cp = globalThis.__KTJ_CONTROL_PLANE__;
  if (!cp) return; // USE_EXISTING_CLUSTER, or setup failed before the plane existed
  globalThis.__KTJ_CONTROL_PLANE__ = undefined;
  await cp.plane.stop();
  if (process.env.KTJ_KEEP_CP === '1') process.stderr.write(`control plane stopped; work dir kept: ${cp.plane.workDir}\n`);
}
