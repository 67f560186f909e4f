/**
 * Masquerading and published ports for the bridge plugin (placeholder until the nf_tables layer lands).
 * @module
 */
import type { Namespace } from '../api/namespace.js';
import type { BridgeConf, CniEnv } from './config.js';
import { CniCode, CniError, type CniResult } from './spec.js';

/** Installs the container's rules. */
export async function setup(_host: Namespace, _conf: BridgeConf, _env: CniEnv, _result: CniResult): Promise<void> {
  throw new CniError(CniCode.UNSUPPORTED_FIELD, 'ipMasq / portMappings: not available yet');
}
/** Removes the container's rules. */
export async function teardown(_host: Namespace, _conf: BridgeConf, _env: CniEnv): Promise<void> {}
/** Checks the container's rules. */
export async function check(_host: Namespace, _conf: BridgeConf, _env: CniEnv): Promise<void> {}
/** Removes rules of attachments not in the valid list. */
export async function gc(_host: Namespace, _conf: BridgeConf): Promise<void> {}
