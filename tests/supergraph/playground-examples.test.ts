import { PLAYGROUND_EXAMPLES } from '../../gateway/playground/examples';
import { startTestPlatform, type TestPlatform } from '../helpers/platform';

describe('playground', () => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await startTestPlatform({ NODE_ENV: 'development' });
  });
  afterAll(async () => {
    await t?.stop();
  });

  it.each(PLAYGROUND_EXAMPLES.map((e) => [e.title, e] as const))('example "%s" runs without errors', async (_title, example) => {
    const { status, body } = await t.graphql(await t.token(example.role ?? 'province_info_admin', '420000'), example.query, example.variables);
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    expect(body.data).toBeTruthy();
    if (example.role === 'auditor') {
      // The demo data's own writes are on the trail, and every chain verifies.
      const parts = Object.values((body.data as { auditTrail: Record<string, { verified: boolean }> }).auditTrail);
      expect(parts).toHaveLength(4);
      for (const part of parts) expect(part.verified).toBe(true);
    }
  });

  it('serves the page and only the listed assets, all from the gateway itself', async () => {
    const page = await fetch(new URL('/playground', t.gatewayUrl));
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).not.toMatch(/https?:\/\/(?!127\.0\.0\.1)/); // no CDN
    for (const src of html.match(/\/playground\/assets\/[\w.-]+/g) ?? []) {
      expect((await fetch(new URL(src, t.gatewayUrl))).status).toBe(200);
    }
    expect((await fetch(new URL('/playground/assets/../../package.json', t.gatewayUrl))).status).toBe(404);
    expect((await fetch(new URL('/playground/assets/%2e%2e%2fpackage.json', t.gatewayUrl))).status).toBe(404);
  });
});

describe('playground in production', () => {
  it('is not served, and no token can be minted', async () => {
    const t = await startTestPlatform({ NODE_ENV: 'production' });
    try {
      expect((await fetch(new URL('/playground', t.gatewayUrl))).status).toBe(404);
      const mint = await fetch(new URL('/playground/dev-token', t.gatewayUrl), { method: 'POST', body: '{"role":"national_query","org":"CN"}' });
      expect(mint.status).toBe(404);
    } finally {
      await t.stop();
    }
  });
});
