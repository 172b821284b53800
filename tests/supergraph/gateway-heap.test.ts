import { ConfigError } from '../../subgraphs/shared/src/config';
import { loadGatewayConfig } from '../../gateway/src/config';
import { TEST_INTERNAL_SECRET, TEST_JWT_SECRET } from '../helpers/http';

/**
 * GATEWAY_HEAP_GROWTH_PERCENT: how far V8 lets a gateway worker's heap grow past its live data
 * before a full collection (gateway/src/main.ts; measured in docs/benchmarks.md, "Gateway").
 */
const base = { JWT_SECRET: TEST_JWT_SECRET, INTERNAL_IDENTITY_SECRET: TEST_INTERNAL_SECRET };

function problemsOf(env: Record<string, string>): string {
  try {
    loadGatewayConfig({ ...base, ...env });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems.join('\n');
  }
  throw new Error('expected a configuration error');
}

describe('gateway heap growth setting', () => {
  it('defaults to 50 per cent; 0 leaves V8 its own rule', () => {
    expect(loadGatewayConfig(base).heapGrowthPercent).toBe(50);
    expect(loadGatewayConfig({ ...base, GATEWAY_HEAP_GROWTH_PERCENT: '0' }).heapGrowthPercent).toBe(0);
    expect(loadGatewayConfig({ ...base, GATEWAY_HEAP_GROWTH_PERCENT: '100' }).heapGrowthPercent).toBe(100);
  });

  it('refuses a value that is not a whole number from 0 to 400, naming the variable', () => {
    for (const bad of ['-1', '401', '12.5', 'lots']) {
      expect(problemsOf({ GATEWAY_HEAP_GROWTH_PERCENT: bad })).toMatch(/GATEWAY_HEAP_GROWTH_PERCENT/);
    }
  });
});
