import type { Knex } from 'knex';
import type { Db } from '../../subgraphs/shared/src/db';

/**
 * Reconciliation checks run after every fault test (and by the soak script): whatever was cut,
 * killed or raced, the data must still add up. Each check returns human-readable violations, so a
 * failing test says what is wrong (`expect(await checkInvariants(dbs)).toEqual([])`).
 *
 * The checks read the four schemas directly with SQL, from one connection: they are the auditor's
 * view, independent of the resolvers they check.
 */
export interface PlatformDbs {
  registry: Db;
  training: Db;
  staffing: Db;
  evaluation: Db;
}

const SERVICE_KEYS: Record<string, keyof PlatformDbs> = {
  'teacher-registry': 'registry',
  training: 'training',
  'staffing-quota': 'staffing',
  evaluation: 'evaluation',
};

/** The platform's four databases from its running subgraphs (`t.platform.subgraphs`). */
export function dbsOf(subgraphs: readonly { name: string; db: Db }[]): PlatformDbs {
  const found: Partial<PlatformDbs> = {};
  for (const s of subgraphs) {
    const key = SERVICE_KEYS[s.name];
    if (key) found[key] = s.db;
  }
  for (const key of Object.values(SERVICE_KEYS)) if (!found[key]) throw new Error(`no database for ${key}`);
  return found as PlatformDbs;
}

const count = async (knex: Knex, sql: string, bindings: readonly unknown[] = []): Promise<number> => {
  const { rows } = await knex.raw(sql, bindings as Knex.RawBinding[]);
  return Number(rows[0]?.n ?? 0);
};

/** Name of a subgraph as the outbox's `consumer` column spells it. */
const CONSUMER_NAME: Record<keyof PlatformDbs, string> = {
  registry: 'teacher-registry',
  training: 'training',
  staffing: 'staffing-quota',
  evaluation: 'evaluation',
};

/**
 * Events: every row an outbox marks delivered reached its consumer's inbox (the inbox's primary key
 * makes a second application impossible, so "in the inbox" means "applied exactly once"); with
 * `requireDrained`, nothing is still waiting.
 */
export async function checkEvents(dbs: PlatformDbs, options: { requireDrained?: boolean } = {}): Promise<string[]> {
  const problems: string[] = [];
  const knex = dbs.registry.knex;
  for (const [producerKey, producer] of Object.entries(dbs) as [keyof PlatformDbs, Db][]) {
    for (const [consumerKey, consumer] of Object.entries(dbs) as [keyof PlatformDbs, Db][]) {
      if (consumerKey === producerKey) continue;
      const lost = await count(
        knex,
        `select count(*) as n from ${producer.t('outbox')} o
          where o.consumer = ? and o.delivered_at is not null
            and not exists (select 1 from ${consumer.t('inbox')} i where i.event_id = o.event_id)`,
        [CONSUMER_NAME[consumerKey]],
      );
      if (lost) problems.push(`${lost} event(s) from ${producerKey} marked delivered but missing from ${consumerKey}'s inbox`);
    }
    if (options.requireDrained) {
      const pending = await count(knex, `select count(*) as n from ${producer.t('outbox')} where delivered_at is null`);
      if (pending) problems.push(`${pending} event(s) still undelivered in ${producerKey}'s outbox`);
    }
  }
  return problems;
}

/**
 * Projections equal their sources: every registry teacher is in each consumer's teacher_scope with
 * the registry's organisation path and status, and every organisation in an org_scope projection has the
 * registry's path. (A projection may keep a teacher the registry has since deleted as a draft, with
 * status 'deleted'; that row authorises nothing that exists, so it is not counted.)
 */
export async function checkProjections(dbs: PlatformDbs): Promise<string[]> {
  const problems: string[] = [];
  const knex = dbs.registry.knex;
  for (const key of ['training', 'staffing', 'evaluation'] as const) {
    const db = dbs[key];
    const missing = await count(
      knex,
      `select count(*) as n from ${dbs.registry.t('teacher')} t where not exists (select 1 from ${db.t('teacher_scope')} s where s.teacher_id = t.id)`,
    );
    if (missing) problems.push(`${missing} registry teacher(s) missing from ${key}.teacher_scope`);
    const wrong = await count(
      knex,
      `select count(*) as n from ${dbs.registry.t('teacher')} t join ${db.t('teacher_scope')} s on s.teacher_id = t.id where s.org_path <> t.org_path`,
    );
    if (wrong) problems.push(`${wrong} teacher(s) with a different organisation path in ${key}.teacher_scope than in the registry`);
    const wrongStatus = await count(
      knex,
      `select count(*) as n from ${dbs.registry.t('teacher')} t join ${db.t('teacher_scope')} s on s.teacher_id = t.id where s.status <> t.status`,
    );
    if (wrongStatus) problems.push(`${wrongStatus} teacher(s) with a different status in ${key}.teacher_scope than in the registry (teacher.status-changed)`);
    const hasOrgScope = await count(knex, `select count(*) as n from information_schema.tables where table_schema = ? and table_name = 'org_scope'`, [db.schema]);
    if (hasOrgScope) {
      const orgWrong = await count(
        knex,
        `select count(*) as n from ${db.t('org_scope')} s left join ${dbs.registry.t('org_unit')} o on o.id = s.org_id where o.id is null or o.path <> s.org_path`,
      );
      if (orgWrong) problems.push(`${orgWrong} organisation(s) in ${key}.org_scope unknown to the registry or with another path`);
    }
  }
  return problems;
}

/**
 * The credit bank adds up: every conversion has exactly one side out and one side in, the side out
 * takes exactly the converted entry's credits, so the sum of all entries equals the sum of the
 * entries still open (what `creditBalance.reconciles` reports); a record is banked at most once; an
 * application's credits are the sum of its items and no item relies on more than its entry holds.
 */
export async function checkCreditBank(training: Db): Promise<string[]> {
  const problems: string[] = [];
  const knex = training.knex;
  const ledger = training.t('credit_ledger_entry');
  const badConversions = await count(
    knex,
    `select count(*) as n from (select conversion_id from ${ledger} where conversion_id is not null group by conversion_id
       having count(*) filter (where entry_type = 'conversion_out') <> 1 or count(*) filter (where entry_type = 'conversion_in') <> 1) c`,
  );
  if (badConversions) problems.push(`${badConversions} conversion(s) without exactly one side out and one side in`);
  const unbalanced = await count(
    knex,
    `select count(*) as n from (
       select e.teacher_id,
         sum(e.credits) as total,
         sum(e.credits) filter (where e.entry_type <> 'conversion_out'
           and not exists (select 1 from ${ledger} o where o.converts_entry_id = e.id and o.entry_type = 'conversion_out')) as open
       from ${ledger} e group by e.teacher_id) b
     where abs(b.total - coalesce(b.open, 0)) >= 0.005`,
  );
  if (unbalanced) problems.push(`${unbalanced} teacher(s) whose ledger sum differs from their open credits`);
  const doubleBanked = await count(
    knex,
    `select count(*) as n from (select training_record_id from ${ledger} where entry_type = 'deposit' group by training_record_id having count(*) > 1) d`,
  );
  if (doubleBanked) problems.push(`${doubleBanked} training record(s) banked more than once`);
  const applicationSums = await count(
    knex,
    `select count(*) as n from ${training.t('credit_application')} a
      where abs(a.credits - coalesce((select sum(i.credits) from ${training.t('credit_application_item')} i where i.application_id = a.id), 0)) >= 0.005`,
  );
  if (applicationSums) problems.push(`${applicationSums} credit application(s) whose credits differ from the sum of their items`);
  const overdrawn = await count(
    knex,
    `select count(*) as n from ${training.t('credit_application_item')} i join ${ledger} e on e.id = i.entry_id where i.credits > e.credits + 0.005`,
  );
  if (overdrawn) problems.push(`${overdrawn} application item(s) relying on more credits than their entry holds`);
  const duplicateRecords = await count(
    knex,
    `select count(*) as n from (select source, source_id from ${training.t('training_record')} where source_id is not null group by source, source_id having count(*) > 1) d`,
  );
  if (duplicateRecords) problems.push(`${duplicateRecords} course or declaration recorded as training more than once`);
  return problems;
}

/**
 * Staffing adds up: nobody holds two employments or two post appointments at once (quota usage is a
 * count of current on-quota employments, so a duplicate would use a place twice), no two pending
 * transfers for one teacher, and every completed transfer into a unit left exactly one employment
 * created by it.
 */
export async function checkStaffing(staffing: Db): Promise<string[]> {
  const problems: string[] = [];
  const knex = staffing.knex;
  const current = (table: string) =>
    `select teacher_id from ${staffing.t(table)} where starts_on <= current_date and (ends_on is null or ends_on >= current_date) group by teacher_id having count(*) > 1`;
  const doubleEmployed = await count(knex, `select count(*) as n from (${current('employment')}) d`);
  if (doubleEmployed) problems.push(`${doubleEmployed} teacher(s) with more than one current employment`);
  const doublePosted = await count(knex, `select count(*) as n from (${current('post_appointment')}) d`);
  if (doublePosted) problems.push(`${doublePosted} teacher(s) with more than one current post appointment`);
  const transferEmployments = await count(
    knex,
    `select count(*) as n from ${staffing.t('transfer')} t
      where t.status = 'completed' and t.to_org_id is not null
        and (select count(*) from ${staffing.t('employment')} e where e.transfer_id = t.id) > 1`,
  );
  if (transferEmployments) problems.push(`${transferEmployments} completed transfer(s) that created more than one employment`);
  const negativeQuota = await count(knex, `select count(*) as n from ${staffing.t('staffing_quota')} where approved < 0`);
  if (negativeQuota) problems.push(`${negativeQuota} negative approved quota(s)`);
  return problems;
}

/** Every mutable row's optimistic-concurrency version is a positive number. */
export async function checkVersions(dbs: PlatformDbs): Promise<string[]> {
  const problems: string[] = [];
  const knex = dbs.registry.knex;
  const schemas = Object.values(dbs).map((db) => db.schema);
  const { rows } = await knex.raw(
    `select table_schema, table_name from information_schema.columns where column_name = 'version' and table_schema = any(?) and data_type = 'integer'`,
    [schemas],
  );
  for (const row of rows as { table_schema: string; table_name: string }[]) {
    const bad = await count(knex, `select count(*) as n from ${row.table_schema}.${row.table_name} where version is null or version < 1`);
    if (bad) problems.push(`${bad} row(s) of ${row.table_schema}.${row.table_name} with a version below 1`);
  }
  return problems;
}

/** All checks; an empty list means the platform's data reconciles. */
export async function checkInvariants(dbs: PlatformDbs, options: { requireDrained?: boolean } = {}): Promise<string[]> {
  return [
    ...(await checkEvents(dbs, options)),
    ...(await checkProjections(dbs)),
    ...(await checkCreditBank(dbs.training)),
    ...(await checkStaffing(dbs.staffing)),
    ...(await checkVersions(dbs)),
  ];
}

/**
 * Delivers every pending event now, whatever its backoff says (a test cannot wait five minutes),
 * until every outbox is empty or `timeoutMs` passes. Events that a delivery causes (a transfer
 * event makes the registry announce an affiliation change) are delivered in later rounds.
 */
export async function settleEvents(
  subgraphs: readonly { name: string; db: Db; relay: { flush(): Promise<number> } }[],
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let pending = 0;
    for (const s of subgraphs) {
      await s.db.knex(s.db.t('outbox')).whereNull('delivered_at').update({ next_attempt_at: s.db.knex.fn.now() });
      await s.relay.flush();
      pending += Number((await s.db.knex(s.db.t('outbox')).whereNull('delivered_at').count('* as n'))[0]!.n);
    }
    if (pending === 0) return;
    if (Date.now() > deadline) throw new Error(`${pending} event(s) still undelivered after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

type Ask = (query: string, variables?: Record<string, unknown>) => Promise<{ data?: any; errors?: unknown[] }>;

/**
 * What the API reports equals what the rows say: quota usage (`staffingQuota.occupied`) of the
 * country and each province is the count of current on-quota employments below it, and a sample of
 * teachers' `creditBalance` is the sum of their ledger rows. `ask` runs a query through the gateway
 * with a national token (national_query sees both).
 */
export async function checkApiAgainstRows(dbs: PlatformDbs, ask: Ask, sample = 20): Promise<string[]> {
  const problems: string[] = [];
  const knex = dbs.staffing.knex;
  const year = new Date().getUTCFullYear();
  const units = (await knex(dbs.registry.t('org_unit')).select('id', 'path').whereIn('level', ['national', 'province']).orderBy('id')) as { id: string; path: string }[];
  for (const { id, path } of units) {
    const body = await ask(`query($id: ID!, $year: Int!) { orgUnit(id: $id) { staffingQuota(year: $year) { occupied } } }`, { id, year });
    const unit = body.data?.orgUnit;
    if (!unit?.staffingQuota) {
      problems.push(`staffingQuota of ${id} not readable: ${JSON.stringify(body.errors ?? body.data)}`);
      continue;
    }
    const rows = await count(
      knex,
      `select count(*) as n from ${dbs.staffing.t('employment')} e join ${dbs.staffing.t('org_scope')} o on o.org_id = e.org_id
        where o.org_path like ? and e.on_quota and e.starts_on <= current_date and (e.ends_on is null or e.ends_on >= current_date)`,
      [`${path}%`],
    );
    if (unit.staffingQuota.occupied !== rows) problems.push(`quota usage of ${id}: API says ${unit.staffingQuota.occupied}, employment rows say ${rows}`);
  }
  const ledger = dbs.training.t('credit_ledger_entry');
  const { rows: teachers } = await dbs.training.knex.raw(
    `select teacher_id, count(*)::int as entries, coalesce(sum(credits), 0)::float as credits from ${ledger} group by teacher_id order by teacher_id limit ?`,
    [sample],
  );
  for (const row of teachers as { teacher_id: string; entries: number; credits: number }[]) {
    const body = await ask(`query($id: ID!) { teacher(id: $id) { creditBalance { trainingCredits degreeCredits entryCount reconciles } } }`, { id: row.teacher_id });
    const balance = body.data?.teacher?.creditBalance;
    if (!balance) {
      problems.push(`creditBalance of ${row.teacher_id} not readable: ${JSON.stringify(body.errors ?? body.data)}`);
      continue;
    }
    const total = Math.round((balance.trainingCredits + balance.degreeCredits) * 100) / 100;
    if (balance.entryCount !== row.entries || Math.abs(total - row.credits) >= 0.005 || !balance.reconciles) {
      problems.push(`credit balance of ${row.teacher_id}: API ${JSON.stringify(balance)}, ledger ${row.entries} entries summing to ${row.credits}`);
    }
  }
  return problems;
}
