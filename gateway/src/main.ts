import { exitOnConfigError } from '../../subgraphs/shared/src/config';
import { createLogger } from '../../subgraphs/shared/src/logger';
import { runUntilSignalled } from '../../subgraphs/shared/src/process';
import { loadGatewayConfig, type GatewayConfig } from './config';
import { createGateway } from './server';

/** Process entry when the gateway runs on its own: `tsx gateway/src/main.ts`. */
let config: GatewayConfig;
try {
  config = loadGatewayConfig();
} catch (error) {
  exitOnConfigError(error);
}
const logger = createLogger('gateway', config.logLevel);
runUntilSignalled(() => createGateway(config, { logger }), logger);
