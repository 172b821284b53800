import { ConfigError, loadSubgraphConfig } from '../../subgraphs/shared/src/config';
import { loadGatewayConfig } from '../../gateway/src/config';

const SECRET = 'a-secret-that-is-long-enough-0123456789';

describe('subgraph config', () => {
  it('reads shared variables and lets prefixed ones win', () => {
    const config = loadSubgraphConfig('training', 4002, {
      DATABASE_URL: 'postgres://localhost/a',
      TRAINING_DATABASE_URL: 'postgres://localhost/b',
      INTERNAL_IDENTITY_SECRET: SECRET,
    });
    expect(config.databaseUrl).toBe('postgres://localhost/b');
    expect(config.port).toBe(4002);
    expect(config.databaseSchema).toBe('training');
  });

  it('lists every problem at once, under the variable name the operator set', () => {
    let error: unknown;
    try {
      loadSubgraphConfig('staffing-quota', 4003, { STAFFING_QUOTA_PORT: 'eighty', DATABASE_URL: 'mysql://x', INTERNAL_IDENTITY_SECRET: 'short' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toMatch(/^STAFFING_QUOTA_PORT:/m);
    expect(problems).toMatch(/^DATABASE_URL:/m);
    expect(problems).toMatch(/^INTERNAL_IDENTITY_SECRET:/m);
    expect(problems).not.toContain('mysql://x'); // URLs and secrets are not echoed
  });
});

describe('gateway config', () => {
  it('requires a JWT key and parses subgraph URL overrides', () => {
    expect(() => loadGatewayConfig({ INTERNAL_IDENTITY_SECRET: SECRET })).toThrow(/JWT_SECRET/);
    const config = loadGatewayConfig({
      JWT_SECRET: `${SECRET}-jwt`,
      INTERNAL_IDENTITY_SECRET: SECRET,
      SUBGRAPH_URLS: 'training=http://127.0.0.1:9/graphql',
    });
    expect(config.subgraphUrls).toEqual({ training: 'http://127.0.0.1:9/graphql' });
  });

  it('rejects a malformed override and a reused secret together', () => {
    try {
      loadGatewayConfig({ JWT_SECRET: SECRET, INTERNAL_IDENTITY_SECRET: SECRET, SUBGRAPH_URLS: 'training' });
      throw new Error('expected a ConfigError');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const problems = (error as ConfigError).problems.join('\n');
      expect(problems).toContain('SUBGRAPH_URLS');
      expect(problems).toContain('INTERNAL_IDENTITY_SECRET');
    }
  });
});

describe('gateway defaults that depend on NODE_ENV', () => {
  const base = { JWT_SECRET: `${SECRET}-jwt`, INTERNAL_IDENTITY_SECRET: SECRET };
  it('turns introspection, suggestions and the playground on in development and off in production', () => {
    const dev = loadGatewayConfig({ ...base, NODE_ENV: 'development' });
    expect([dev.introspection, dev.limits.blockFieldSuggestions, dev.playground]).toEqual([true, false, true]);
    const prod = loadGatewayConfig({ ...base, NODE_ENV: 'production' });
    expect([prod.introspection, prod.limits.blockFieldSuggestions, prod.playground]).toEqual([false, true, false]);
  });
  it('lets an explicit setting win', () => {
    const prod = loadGatewayConfig({ ...base, NODE_ENV: 'production', INTROSPECTION: 'true', PLAYGROUND: '1' });
    expect([prod.introspection, prod.playground]).toEqual([true, true]);
  });
});
