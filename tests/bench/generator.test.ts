import { createHash } from 'node:crypto';
import pg from 'pg';
import { addPay, generate, schemaNames, type LoadResult } from '../../bench/generate/load';
import { generateDataset } from '../../bench/generate/model';
import { PROVINCES } from '../../bench/generate/provinces';
import { copyLine, TABLES, type RowSink } from '../../bench/generate/tables';
import { countStatementsPerRequest, TEACHER_LIST } from '../../bench/statements';
import { mintToken } from '../../gateway/src/auth';
import { startPlatform, type RunningPlatform } from '../../gateway/src/platform';
import { envPrefix } from '../../subgraphs/shared/src/config';
import { levelOfOrgCode } from '../../subgraphs/shared/src/identity';
import { SUBGRAPHS } from '../../subgraphs';
import { parseResidentId } from '../../subgraphs/teacher-registry/src/domain/resident-id';
import { describeOnPostgres, testDatabaseUrl, uniqueSuffix } from '../helpers/database';
import { JWT_ISSUER, postGraphQL, TEST_INTERNAL_SECRET, TEST_JWT_SECRET } from '../helpers/http';

/**
 * The national data generator (npm run generate): deterministic, valid, consistent across the four
 * subgraphs, and served by the gateway, where a page of teachers costs the same SQL statements
 * whatever its size. Runs on a real PostgreSQL server: the generator loads through parallel COPY
 * transactions, which the embedded single-backend database runs one at a time.
 */
const TEACHERS = 2000;

/** Hash of the rows a seed produces, without a database. */
async function datasetHash(seed: number): Promise<string> {
  const hash = createHash('sha256');
  const sink: RowSink = { row: (table, values) => hash.update(`${table}\t${copyLine(values)}`), drain: async () => undefined };
  await generateDataset({ teachers: TEACHERS, seed }, sink);
  return hash.digest('hex');
}

describeOnPostgres('national data generator', () => {
  const suffixA = `${uniqueSuffix()}_ga`;
  const suffixB = `${uniqueSuffix()}_gb`;
  let first: LoadResult;
  let second: LoadResult;
  let client: pg.Client;
  let platform: RunningPlatform | undefined;
  const registry = () => first.schemas['teacher-registry'] as string;

  beforeAll(async () => {
    first = await generate({ databaseUrl: testDatabaseUrl(), teachers: TEACHERS, seed: 7, schemaSuffix: suffixA, reset: true });
    second = await generate({ databaseUrl: testDatabaseUrl(), teachers: TEACHERS, seed: 7, schemaSuffix: suffixB, reset: true });
    client = new pg.Client({ connectionString: testDatabaseUrl() });
    await client.connect();
  }, 240_000);

  afterAll(async () => {
    await platform?.stop();
    for (const suffix of [suffixA, suffixB]) {
      for (const schema of Object.values(schemaNames(suffix))) await client?.query(`drop schema if exists "${schema}" cascade`);
    }
    await client?.end();
  });

  it('is deterministic: the same seed gives the same rows, another seed other rows', async () => {
    expect(first.summary.teachers).toBe(TEACHERS);
    expect(first.totalRows).toBeGreaterThan(TEACHERS * 20);
    expect(second.checksum).toBe(first.checksum);
    // And the databases agree, not only the generator's own hash.
    // The generated columns (created_at and updated_at are the load's clock).
    const columns = TABLES['teacher-registry.teacher'].join(', ');
    const dbHash = async (schema: string) =>
      (await client.query(`select md5(string_agg(row(${columns})::text, '|' order by id)) as h from "${schema}".teacher t`)).rows[0].h;
    expect(await dbHash(second.schemas['teacher-registry'] as string)).toBe(await dbHash(registry()));
    expect(await datasetHash(7)).toBe(await datasetHash(7));
    expect(await datasetHash(8)).not.toBe(await datasetHash(7));
  });

  it('writes valid identities and a well-formed organisation tree with every province and the Corps', async () => {
    const teachers = (await client.query(`select id_document_number, birth_date, gender, org_path, school_id from "${registry()}".teacher`)).rows;
    expect(teachers).toHaveLength(TEACHERS);
    for (const t of teachers) {
      const parsed = parseResidentId(t.id_document_number);
      expect(parsed.ok ? [parsed.facts.birthDate, parsed.facts.gender] : parsed).toEqual([t.birth_date, t.gender]);
      expect(t.org_path.endsWith(`/${t.school_id}/`)).toBe(true);
    }
    expect(new Set(teachers.map((t) => t.id_document_number)).size).toBe(TEACHERS);

    const units = (await client.query(`select id, parent_id, level, path from "${registry()}".org_unit`)).rows;
    const byId = new Map(units.map((u) => [u.id, u]));
    for (const u of units) {
      expect([u.id, levelOfOrgCode(u.id)]).toEqual([u.id, u.level]);
      const parent = u.parent_id ? byId.get(u.parent_id) : null;
      expect(u.path).toBe(`${parent ? parent.path : '/'}${u.id}/`);
    }
    const provinces = units.filter((u) => u.level === 'province').map((u) => u.id).sort();
    expect(provinces).toEqual(PROVINCES.map((p) => p.code).sort());
    expect(provinces).toContain('660000');
    expect(provinces).toHaveLength(32);
  });

  it('fills the projections of every subgraph consistently with the registry', async () => {
    const s = first.schemas;
    for (const subgraph of ['training', 'staffing-quota', 'evaluation']) {
      const { rows } = await client.query(
        `select count(*)::int as n, count(*) filter (where p.org_path is distinct from t.org_path or p.status is distinct from t.status)::int as mismatched
           from "${registry()}".teacher t full join "${s[subgraph]}".teacher_scope p on p.teacher_id = t.id`,
      );
      expect([subgraph, rows[0]]).toEqual([subgraph, { n: TEACHERS, mismatched: 0 }]);
    }
    for (const subgraph of ['training', 'staffing-quota']) {
      const { rows } = await client.query(
        `select count(*) filter (where o.org_path is distinct from u.path)::int as mismatched from "${registry()}".org_unit u full join "${s[subgraph]}".org_scope o on o.org_id = u.id`,
      );
      expect([subgraph, rows[0].mismatched]).toEqual([subgraph, 0]);
    }
    // Foreign keys skipped during the load hold: no sub-record without its teacher.
    const { rows: orphans } = await client.query(`select count(*)::int as n from "${registry()}".teacher_education e left join "${registry()}".teacher t on t.id = e.teacher_id where t.id is null`);
    expect(orphans[0].n).toBe(0);
    // Every on-quota teacher is on the quota in staffing too.
    const onQuota = (await client.query(`select count(*)::int as n from "${registry()}".teacher where on_quota`)).rows[0].n;
    const employed = (await client.query(`select count(*)::int as n from "${s['staffing-quota']}".employment where on_quota`)).rows[0].n;
    expect(employed).toBe(onQuota);
  });

  it('gives about 92 % of teachers plausible pay, the same rows again with --add-pay on a set without them, and byPayBand counts them', async () => {
    const payColumns = TABLES['teacher-registry.teacher_pay'].join(', ');
    const payHash = async (schema: string) => (await client.query(`select count(*)::int as n, md5(string_agg(row(${payColumns})::text, '|' order by id)) as h from "${schema}".teacher_pay`)).rows[0];
    const paid = await payHash(registry());
    expect(paid.n / TEACHERS).toBeGreaterThan(0.88);
    expect(paid.n / TEACHERS).toBeLessThan(0.96);
    expect(await payHash(second.schemas['teacher-registry'] as string)).toEqual(paid);
    const { rows: [range] } = await client.query(
      `select min(post_grade) as g0, max(post_grade) as g1, min(salary_step) as s0, max(salary_step) as s1,
              min(basic_monthly_pay + monthly_allowances)::float as lo, max(basic_monthly_pay + monthly_allowances)::float as hi,
              count(distinct (basic_monthly_pay + monthly_allowances) / 1000)::int as bands
         from "${registry()}".teacher_pay`,
    );
    expect(range.g0).toBeGreaterThanOrEqual(1);
    expect(range.g1).toBeLessThanOrEqual(13);
    expect(range.s0).toBeGreaterThanOrEqual(1);
    expect(range.s1).toBeLessThanOrEqual(65);
    expect(range.lo).toBeGreaterThan(2000);
    expect(range.hi).toBeLessThan(40000);
    expect(range.bands).toBeGreaterThan(8);
    // A set generated before pay existed: emptied here, then --add-pay writes exactly the same rows.
    const older = second.schemas['teacher-registry'] as string;
    await client.query(`delete from "${older}".teacher_pay`);
    const added = await addPay({ databaseUrl: testDatabaseUrl(), teachers: TEACHERS, seed: 7, schemaSuffix: suffixB });
    expect(added.rows).toBe(paid.n);
    expect(await payHash(older)).toEqual(paid);
    await expect(addPay({ databaseUrl: testDatabaseUrl(), teachers: TEACHERS, seed: 7, schemaSuffix: suffixB })).rejects.toThrow(/already holds rows/);
  });

  it('is answered by the gateway, and a page of 50 teachers costs the statements of a page of 5', async () => {
    const env: Record<string, string> = {
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      DATABASE_URL: testDatabaseUrl(),
      DATABASE_POOL_MAX: '4',
      JWT_SECRET: TEST_JWT_SECRET,
      INTERNAL_IDENTITY_SECRET: TEST_INTERNAL_SECRET,
      // Idle relays add no statements to the counts.
      EVENT_RELAY_INTERVAL_MS: '3600000',
    };
    for (const s of SUBGRAPHS) env[`${envPrefix(s.name)}DATABASE_SCHEMA`] = first.schemas[s.name] as string;
    platform = await startPlatform({ env, seedDemo: false, ephemeralPorts: true });
    const token = (role: string, org: string, extra: Record<string, unknown> = {}) =>
      mintToken({ sub: `test-${role}-${org}`, role, org, org_path: org === 'CN' ? '/CN/' : `/CN/${org}/`, ...extra } as never, { secret: TEST_JWT_SECRET, issuer: JWT_ISSUER, audience: JWT_ISSUER, expiresIn: '10m' });
    const national = await token('national_query', 'CN');
    const url = platform.gateway.url;
    const graphql = async (t: string, query: string, variables: Record<string, unknown>) => (await postGraphQL<any>(url, { authorization: `Bearer ${t}` }, query, variables)).body;

    const page = await graphql(national, TEACHER_LIST, { first: 50 });
    expect(page.errors).toBeUndefined();
    expect(page.data.teachers.totalCount).toBe(TEACHERS);
    expect(page.data.teachers.nodes).toHaveLength(50);
    const node = page.data.teachers.nodes[0];
    expect(node.school.staffingQuota).toEqual(expect.objectContaining({ approved: expect.any(Number) }));
    expect(node.annualAssessments.length + node.employments.length).toBeGreaterThan(0);

    // Hubei's headcount through the gateway equals the rows.
    const stats = await graphql(national, '{ orgUnit(id: "420000") { statistics { activeTeachers } } }', {});
    const active = (await client.query(`select count(*)::int as n from "${registry()}".teacher where status = 'active' and org_path like '/CN/420000/%'`)).rows[0].n;
    expect(stats.data.orgUnit.statistics.activeTeachers).toBe(active);
    // Pay bands over the generated pay rows (the pay-band rollup recounts the schools the load marked).
    const bands = await graphql(national, '{ orgUnit(id: "CN") { statistics { byPayBand { code count } } } }', {});
    expect(bands.errors).toBeUndefined();
    const banded = bands.data.orgUnit.statistics.byPayBand.filter((b: { code: string | null }) => b.code !== null).reduce((n: number, b: { count: number }) => n + b.count, 0);
    const paidActive = (await client.query(`select count(*)::int as n from "${registry()}".teacher t where status = 'active' and exists (select 1 from "${registry()}".teacher_pay p where p.teacher_id = t.id)`)).rows[0].n;
    expect(banded).toBe(paidActive);

    const counts = await countStatementsPerRequest({
      graphql,
      knexes: platform.subgraphs.map((s) => s.db.knex),
      listToken: national,
      partnerToken: await token('partner', '420000', { client_id: 'title-review-system', scope: 'dossier:read org:read' }),
      orgUnitId: '420000',
    });
    if (process.env.BENCH_MEASURE) process.stdout.write(`statements per request: ${JSON.stringify(counts)}\n`);
    expect(counts.list50).toBe(counts.list5);
    expect(counts.dossier50).toBe(counts.dossier1);
    expect(counts.list5).toBeGreaterThan(0);
  }, 120_000);
});
