import { fetchGatewayState as fetchState, GatewayRefusedError, GatewayUnreachableError, type GatewayState } from '@ttquant/service-bus';
import type { CliConfig } from '../cli-config';
import { OperationFailedError, UnreachableError } from '../cli-errors';

export type { GatewayState };

/**
 * Asks the configured gateway for its state, with the CLI's errors and hints.
 * @param account the account to ask about; empty for whatever the gateway owns
 * @throws UnreachableError when the control endpoint does not answer in time
 * @throws OperationFailedError when the gateway answers with an error (e.g. another account)
 */
export async function fetchGatewayState(config: CliConfig, account: string, timeoutMs = config.cli.requestTimeout): Promise<GatewayState> {
  const endpoint = config.cli.gatewayControl;
  try {
    return await fetchState(endpoint, account, timeoutMs);
  } catch (error) {
    if (error instanceof GatewayUnreachableError) {
      throw new UnreachableError('gateway control endpoint', endpoint, `no answer within ${timeoutMs} ms (is the gateway running? set cli.gatewayControl or TTQ_CLI_GATEWAY_CONTROL)`);
    }
    if (error instanceof GatewayRefusedError) throw new OperationFailedError(error.message);
    throw error;
  }
}
