/** The tool's version, stamped into provenance annotations and `kubectl trainjob version`. */
export const TOOL_VERSION = '0.1.0';
/** The tool's name as used in annotations and the field manager. */
export const TOOL_NAME = 'kubectl-trainjob';
