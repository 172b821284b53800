import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ROLES } from '../../subgraphs/shared/src/identity';
import { sendJson, type Route } from '../../subgraphs/shared/src/http-server';
import type { GatewayConfig } from './config';
import { devTokenRoute } from './dev-token';

/**
 * The administrators' dashboard (gateway/dashboard/): three static files of our own, no CDN and no
 * libraries, so it works offline. The page reads everything through /graphql with the viewer's
 * token: the gateway adds no data path of its own, and scoping and small-cell suppression are
 * exactly the API's. Served in every environment (it is only a client); minting development tokens
 * exists only in development, as for the playground.
 */
export const DASHBOARD_PATH = '/dashboard';
const ASSETS_PATH = '/dashboard/assets/';
const DIR = join(__dirname, '..', 'dashboard');
const ASSETS: Record<string, string> = { 'dashboard.js': 'text/javascript', 'dashboard.css': 'text/css' };

/** No inline script or style at all: the page's own files only, and it talks only to this origin. */
export const DASHBOARD_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export function dashboardRoutes(config: GatewayConfig): Record<string, Route> {
  const devTokens = config.nodeEnv === 'development' && Boolean(config.jwt.secret);
  const html = readFileSync(join(DIR, 'index.html'), 'utf8').replace('__DEV_TOKENS__', String(devTokens)).replace('__ROLES__', ROLES.join(','));
  const assets = new Map(Object.entries(ASSETS).map(([name, type]) => [name, { type, body: readFileSync(join(DIR, name)) }]));

  const routes: Record<string, Route> = {
    [DASHBOARD_PATH]: (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': DASHBOARD_CSP, 'x-content-type-options': 'nosniff', 'cache-control': 'no-cache' });
      res.end(html);
    },
    [`${ASSETS_PATH}*`]: (req: IncomingMessage, res: ServerResponse) => {
      const asset = assets.get((req.url ?? '').slice(ASSETS_PATH.length).split('?')[0] ?? '');
      if (!asset) return sendJson(res, 404, { error: 'not found' });
      res.writeHead(200, { 'content-type': `${asset.type}; charset=utf-8`, 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff' });
      res.end(asset.body);
    },
  };
  if (devTokens) {
    routes[`${DASHBOARD_PATH}/dev-token`] = devTokenRoute(config);
  }
  return routes;
}
