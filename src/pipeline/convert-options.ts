import type { ClusterOptions } from '../cluster/config-flags.js';
import type { RuntimeChoice } from '../convert/plan.js';
import type { ReportFormat } from '../render/convert-report.js';

/** Validated options of `convert`. */
export interface ConvertOptions {
  files: string[];
  recursive: boolean;
  /** A --target-version value (`v2.3`, `auto`), or undefined for the newest; resolved when the verb runs. */
  target?: string;
  runtime: RuntimeChoice;
  suffix: string;
  output: 'yaml' | 'json';
  outputDir?: string;
  overwrite: boolean;
  report: ReportFormat;
  reportFile?: string;
  strict: boolean;
  force: boolean;
  envShim: boolean;
  namespace?: string;
  /** --override-namespace: -n replaces a namespace the manifests name (otherwise a mismatch is an error, as in kubectl). */
  overrideNamespace: boolean;
  /** Connection settings, used only by --target-version auto. */
  cluster: ClusterOptions;
}
