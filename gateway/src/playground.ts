import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ROLES } from '../../subgraphs/shared/src/identity';
import { sendJson, type Route } from '../../subgraphs/shared/src/http-server';
import { playgroundHtml } from '../playground/page';
import type { GatewayConfig } from './config';
import { devTokenRoute } from './dev-token';

/**
 * The playground is served from the project's own dependencies, so it works with the network
 * unplugged (Apollo's default landing page loads from a CDN). Only these files are served.
 */
const ASSETS: Record<string, { file: () => string; type: string }> = {
  'graphiql.min.js': { file: () => packageFile('graphiql', 'graphiql.min.js'), type: 'text/javascript' },
  'graphiql.min.css': { file: () => packageFile('graphiql', 'graphiql.min.css'), type: 'text/css' },
  'react.production.min.js': { file: () => packageFile('react', 'umd/react.production.min.js'), type: 'text/javascript' },
  'react-dom.production.min.js': { file: () => packageFile('react-dom', 'umd/react-dom.production.min.js'), type: 'text/javascript' },
};

/** A file inside an installed package; package `exports` maps do not list these browser builds. */
function packageFile(pkg: string, file: string): string {
  let dir = dirname(require.resolve(pkg));
  while (!existsSync(join(dir, 'package.json')) || basename(dir) !== pkg) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot locate package ${pkg}`);
    dir = parent;
  }
  return join(dir, file);
}

export const PLAYGROUND_PATH = '/playground';
const ASSETS_PATH = '/playground/assets/';
const ASSETS_ROUTE = '/playground/assets/*';

export function playgroundRoutes(config: GatewayConfig): Record<string, Route> {
  // Minting needs the HS256 secret and must never exist outside development.
  const devTokens = config.nodeEnv === 'development' && Boolean(config.jwt.secret);
  const html = playgroundHtml({ graphqlPath: '/graphql', assetsPath: ASSETS_PATH, devTokens, roles: ROLES });
  const cache = new Map<string, Buffer>();

  const routes: Record<string, Route> = {
    [PLAYGROUND_PATH]: (_req, res) => {
      res.writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        // Everything comes from this origin; inline script is the page's own bootstrap.
        'content-security-policy': "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:",
        'x-content-type-options': 'nosniff',
      });
      res.end(html);
    },
    [ASSETS_ROUTE]: (req: IncomingMessage, res: ServerResponse) => {
      const name = (req.url ?? '').slice(ASSETS_PATH.length).split('?')[0] ?? '';
      const asset = ASSETS[name];
      if (!asset) return sendJson(res, 404, { error: 'not found' });
      let body = cache.get(name);
      if (!body) {
        body = readFileSync(asset.file());
        cache.set(name, body);
      }
      res.writeHead(200, { 'content-type': `${asset.type}; charset=utf-8`, 'cache-control': 'public, max-age=86400', 'x-content-type-options': 'nosniff' });
      res.end(body);
    },
  };
  if (devTokens) {
    routes['/playground/dev-token'] = devTokenRoute(config);
  }
  return routes;
}
