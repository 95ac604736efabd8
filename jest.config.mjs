// Jest runs in native-ESM mode (NODE_OPTIONS=--experimental-vm-modules) because
// @kubernetes/client-node is ESM-only; see docs/testing.md.
const transform = {
  '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: { module: 'esnext', moduleResolution: 'bundler', isolatedModules: true, resolveJsonModule: true } }],
};
const common = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform,
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
};
export default {
  projects: [
    { ...common, displayName: 'unit', roots: ['<rootDir>/test'], testMatch: ['**/test/{unit,golden,verbs,smoke,release}/**/*.test.ts'] },
    {
      ...common,
      displayName: 'integration',
      roots: ['<rootDir>/test'],
      testMatch: ['**/test/integration/**/*.test.ts'],
      globalSetup: '<rootDir>/test/controlplane/global-setup.ts',
      globalTeardown: '<rootDir>/test/controlplane/global-teardown.ts',
      setupFilesAfterEnv: ['<rootDir>/test/controlplane/hold-default-version.ts'],
    },
  ],
  testTimeout: 120000,
  maxWorkers: 2,
};
