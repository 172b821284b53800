import { type Browser, type Page } from 'playwright-core';
import { haveChromium, launchChromium, noteMissingChromium } from '../helpers/browser';
import { startTestPlatform, type TestPlatform } from '../helpers/platform';

/**
 * The dashboard in a real headless Chromium, offline, against the whole platform: every number
 * on the page must equal what the GraphQL API answers the same token. Skipped with a note where no
 * Chromium is installed (like the playground test).
 */
noteMissingChromium('dashboard');

const YEAR = new Date().getFullYear();
/** Written independently of the page's own queries, so a page that asks the wrong thing fails. */
const FIGURES = `query($year: Int!) { viewer { organisation { id name
  statistics { activeTeachers byTitleAndAgeBand { rowCode columnCode count suppressed } }
  staffingQuota(year: $year) { balance }
  trainingCompletion { metCount completionRate }
  children { id statistics { activeTeachers onQuota } staffingQuota(year: $year) { approved occupied balance standard standardGap } trainingCompletion { teacherCount metCount completionRate } } } } }`;
const FORECAST = `query($unit: ID!, $year: Int!) { staffingDemandForecast(orgUnitId: $unit, baseYear: $year, years: 5) { years { year teachersRequired teachersAvailable gap retirements } } }`;

const signed = (n: number) => (n > 0 ? `+${n}` : String(n));
const percent = (rate: number) => `${(rate * 100).toFixed(1)}%`;

(haveChromium ? describe : describe.skip)('dashboard in Chromium', () => {
  let t: TestPlatform;
  let browser: Browser;

  beforeAll(async () => {
    t = await startTestPlatform({ NODE_ENV: 'development' });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
  });

  /** A page with the network "unplugged" (only the gateway answers) that records errors and CSP reports. */
  async function offlinePage(): Promise<{ page: Page; foreign: string[]; problems: string[] }> {
    const origin = new URL(t.gatewayUrl).origin;
    const page = await browser.newPage();
    const foreign: string[] = [];
    const problems: string[] = [];
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith(origin) || url.startsWith('data:')) return route.continue();
      foreign.push(url);
      return route.abort();
    });
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    await page.goto(`${origin}/dashboard`);
    return { page, foreign, problems };
  }

  /**
   * Polls from the test side: the page's CSP forbids eval, which also rules out Playwright's
   * string/function waitForFunction in the page's world.
   */
  async function statusBecomes(page: Page, accept: (text: string, className: string) => boolean, timeoutMs = 30000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const status = page.locator('#status');
      const [text, className] = [(await status.textContent()) ?? '', (await status.getAttribute('class')) ?? ''];
      if (accept(text, className)) return text;
      if (Date.now() > deadline) throw new Error(`status stayed "${text}"`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async function show(page: Page) {
    await page.fill('#year', String(YEAR));
    await page.click('#load-button');
    expect(await statusBecomes(page, (text, className) => text === 'loaded' || className === 'error')).toBe('loaded');
  }

  const cellText = (page: Page, selector: string) => page.locator(selector).first().innerText();

  it('serves the page with a strict Content-Security-Policy and only its own files', async () => {
    const response = await fetch(new URL('/dashboard', t.gatewayUrl));
    expect(response.status).toBe(200);
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain("connect-src 'self'");
    expect((await fetch(new URL('/dashboard/assets/dashboard.js', t.gatewayUrl))).status).toBe(200);
    expect((await fetch(new URL('/dashboard/assets/../../package.json', t.gatewayUrl))).status).toBe(404);
  });

  it('shows a county its subtree: headcount by title × age band, quota by unit, training completion and the forecast, equal to the API', async () => {
    const { page, foreign, problems } = await offlinePage();
    await page.selectOption('#mint-role', 'county_query');
    await page.fill('#mint-org', '420111');
    await page.click('#mint-button');
    await statusBecomes(page, (text) => text === 'token minted');
    const token = await page.inputValue('#token');
    expect(token).toMatch(/^eyJ/);
    await show(page);

    const { body } = await t.graphql(token, FIGURES, { year: YEAR });
    expect(body.errors).toBeUndefined();
    const org = body.data.viewer.organisation;
    expect(org.id).toBe('420111');
    expect(await page.textContent('#unit-name')).toContain('洪山区');
    expect(await page.textContent('#active-teachers')).toBe(String(org.statistics.activeTeachers));
    expect(await page.textContent('#quota-balance')).toBe(signed(org.staffingQuota.balance));
    expect(await page.textContent('#completion-rate')).toBe(percent(org.trainingCompletion.completionRate));

    // Every cell of the cross-tab, and their sum is the headcount.
    const cells = org.statistics.byTitleAndAgeBand as { rowCode: string | null; columnCode: string; count: number; suppressed: boolean }[];
    expect(cells.length).toBeGreaterThan(3);
    for (const c of cells) expect(await cellText(page, `#headcount-table td[data-row="${c.rowCode ?? ''}"][data-col="${c.columnCode}"]`)).toBe(String(c.count));
    expect(cells.reduce((s, c) => s + c.count, 0)).toBe(org.statistics.activeTeachers);
    expect(await page.locator('#headcount-chart svg rect[data-col]').count()).toBe(cells.length);

    // The county's schools: quota figures and completion, row by row.
    expect(org.children.length).toBeGreaterThan(1);
    for (const unit of org.children) {
      const q = unit.staffingQuota;
      const row = `#deficit-table tr[data-unit="${unit.id}"]`;
      expect([unit.id, await cellText(page, `${row} td.approved`), await cellText(page, `${row} td.occupied`), await cellText(page, `${row} td.balance`), await cellText(page, `${row} td.standard-gap`)]).toEqual([
        unit.id, String(q.approved), String(q.occupied), signed(q.balance), signed(q.standardGap),
      ]);
      const c = unit.trainingCompletion;
      const trow = `#training-table tr[data-unit="${unit.id}"]`;
      expect([await cellText(page, `${trow} td.teachers`), await cellText(page, `${trow} td.met`), await cellText(page, `${trow} td.rate`)]).toEqual([String(c.teacherCount), String(c.metCount), percent(c.completionRate)]);
    }
    expect(await page.locator('#deficit-chart svg rect[data-unit]').count()).toBe(org.children.length);

    // The forecast: table and the two chart series point by point.
    const forecast = (await t.graphql(token, FORECAST, { unit: '420111', year: YEAR })).body.data.staffingDemandForecast;
    expect(forecast.years).toHaveLength(5);
    for (const y of forecast.years) {
      const row = `#forecast-table tr[data-year="${y.year}"]`;
      expect([await cellText(page, `${row} td.required`), await cellText(page, `${row} td.available`), await cellText(page, `${row} td.gap`), await cellText(page, `${row} td.retirements`)]).toEqual([
        String(y.teachersRequired), String(y.teachersAvailable), signed(y.gap), String(y.retirements),
      ]);
      expect(await page.getAttribute(`#forecast-chart circle[data-series="required"][data-year="${y.year}"]`, 'data-value')).toBe(String(y.teachersRequired));
      expect(await page.getAttribute(`#forecast-chart circle[data-series="available"][data-year="${y.year}"]`, 'data-value')).toBe(String(y.teachersAvailable));
    }
    expect(await page.locator('#forecast-chart polyline').count()).toBe(2);
    expect(await page.isVisible('#suppression-note')).toBe(false);

    await page.screenshot({ path: `${process.env.TMPDIR ?? '/tmp'}/dashboard.png`, fullPage: true });

    // Drill-down: a school of the county opens its own dashboard with the same token.
    const school = org.children[0].id as string;
    await page.click(`#deficit-table a[data-drill="${school}"]`);
    for (let waited = 0; !((await page.textContent('#unit-name')) ?? '').includes(school); waited += 100) {
      if (waited > 30000) throw new Error('the school did not open');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await statusBecomes(page, (text) => text === 'loaded');
    const schoolFigures = (await t.graphql(token, `query($id: ID!, $year: Int!) { orgUnit(id: $id) { statistics { activeTeachers byTitleAndAgeBand { rowCode columnCode count } } staffingQuota(year: $year) { balance } } }`, { id: school, year: YEAR })).body.data.orgUnit;
    expect(await page.textContent('#active-teachers')).toBe(String(schoolFigures.statistics.activeTeachers));
    expect(await page.textContent('#quota-balance')).toBe(signed(schoolFigures.staffingQuota.balance));
    for (const c of schoolFigures.statistics.byTitleAndAgeBand) {
      expect(await cellText(page, `#headcount-table td[data-row="${c.rowCode ?? ''}"][data-col="${c.columnCode}"]`)).toBe(String(c.count));
    }
    // A neighbouring county's unit, asked for by hand: the tree is public, its figures are not.
    await page.goto(`${new URL(t.gatewayUrl).origin}/dashboard#unit=420115`);
    await page.fill('#token', token);
    await page.click('#load-button');
    await statusBecomes(page, (text, className) => className === 'error' || text.startsWith('loaded'));
    expect(await page.textContent('#active-teachers')).toBe('0');
    expect(await page.textContent('#quota-balance')).toBe('—');
    expect(await page.textContent('#completion-rate')).toBe('—');
    expect(await page.locator('#headcount-table td[data-col]').count()).toBe(0);
    expect(await page.locator('#deficit-table td.balance').count()).toBe(0);
    expect(foreign).toEqual([]);
    expect(problems).toEqual([]);
  });

  it('shows an analyst (pasted token) suppressed cells as ＊, never a number the API withheld', async () => {
    const { page, problems } = await offlinePage();
    const token = await t.token('analyst', '621121');
    await page.fill('#token', token);
    await show(page);
    const { body } = await t.graphql(token, FIGURES, { year: YEAR });
    const org = body.data.viewer.organisation;
    const cells = org.statistics.byTitleAndAgeBand as { rowCode: string | null; columnCode: string; count: number | null; suppressed: boolean }[];
    expect(cells.some((c) => c.suppressed)).toBe(true);
    for (const c of cells) {
      expect(await cellText(page, `#headcount-table td[data-row="${c.rowCode ?? ''}"][data-col="${c.columnCode}"]`)).toBe(c.suppressed ? '＊' : String(c.count));
    }
    expect(await page.isVisible('#suppression-note')).toBe(true);
    // Quota: staffing gives an analyst no on-quota count (a count of teachers); the page takes it
    // from the registry's published onQuota, or shows ＊.
    for (const unit of org.children) {
      const q = unit.staffingQuota;
      expect([q.occupied, q.balance, q.standardGap]).toEqual([null, null, null]);
      const onQuota = unit.statistics.onQuota;
      const row = `#deficit-table tr[data-unit="${unit.id}"]`;
      expect([await cellText(page, `${row} td.approved`), await cellText(page, `${row} td.occupied`), await cellText(page, `${row} td.balance`), await cellText(page, `${row} td.standard-gap`)]).toEqual([
        String(q.approved), onQuota === null ? '＊' : String(onQuota), onQuota === null ? '＊' : signed(q.approved - onQuota), onQuota === null ? '＊' : signed(q.standard - onQuota),
      ]);
    }
    // Schools whose completion the API withholds (small cells) are shown as suppressed, not as a
    // figure. Training gives an analyst met counts only; teachers and rate come from the registry's
    // published activeTeachers, or stay unknown.
    for (const unit of org.children) {
      const row = `#training-table tr[data-unit="${unit.id}"]`;
      const c = unit.trainingCompletion;
      if (c === null) {
        expect(await cellText(page, `${row} td.suppressed`)).toContain('suppressed');
        continue;
      }
      expect([c.teacherCount, c.completionRate]).toEqual([null, null]);
      const teachers = unit.statistics.activeTeachers;
      expect([await cellText(page, `${row} td.teachers`), await cellText(page, `${row} td.met`), await cellText(page, `${row} td.rate`)]).toEqual([
        teachers === null ? '＊' : String(teachers), String(c.metCount), teachers === null ? '—' : teachers === 0 ? percent(0) : percent(c.metCount / teachers),
      ]);
    }
    expect(problems).toEqual([]);
  });

  it('says clearly when the token is refused', async () => {
    const { page } = await offlinePage();
    await page.fill('#token', 'not-a-token');
    await page.click('#load-button');
    const message = await statusBecomes(page, (_text, className) => className === 'error');
    expect(message.length).toBeGreaterThan(5);
    expect(await page.isVisible('#dashboard')).toBe(false);
  });
});
