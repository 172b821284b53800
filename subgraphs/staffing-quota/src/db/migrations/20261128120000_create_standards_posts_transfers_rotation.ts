import type { Knex } from 'knex';
import type { SchemaMigration } from '../../../../shared/src/db';

/**
 * Staffing standards as data, enrolment, post plans and appointments, transfers, exchange rotation,
 * and the local projections they need (school profile, teacher birth date and gender).
 *
 * National reference data (ratios, retirement ages, the rotation defaults) is inserted here, because
 * the platform needs it with or without demo data; provincial values come with the demo seed.
 */
const NATIONAL_STANDARDS_2001 = '国办发〔2001〕74号 (中央编办、教育部、财政部 中小学教职工编制标准)';
const UNIFIED_2014 = '中央编办发〔2014〕72号 (统一城乡中小学教职工编制标准)';
const KINDERGARTEN_2013 = '教师〔2013〕1号 (幼儿园教职工配备标准(暂行))';
const VOCATIONAL_2010 = '教职成〔2010〕12号 (中等职业学校设置标准)';

// The 2014 unification took effect on its issue date; the 2001 standards applied until the day before.
const UNIFIED_FROM = '2014-11-13';
const UNIFIED_UNTIL = '2014-11-12';
const STANDARDS_2001_FROM = '2001-10-11';

type Row = Record<string, unknown>;
const std = (stage: string, locale: string | null, ratio: number, from: string, to: string | null, source: string, extra: Row = {}): Row => ({
  province_code: null,
  stage,
  locale,
  variant: 'all',
  students_per_staff: ratio,
  students_per_staff_low: null,
  effective_from: from,
  effective_to: to,
  source,
  ...extra,
});

export const NATIONAL_STANDARD_ROWS: Row[] = [
  // 2001: city / county town / rural.
  std('senior_secondary', 'urban', 12.5, STANDARDS_2001_FROM, UNIFIED_UNTIL, NATIONAL_STANDARDS_2001),
  std('senior_secondary', 'county_town', 13, STANDARDS_2001_FROM, UNIFIED_UNTIL, NATIONAL_STANDARDS_2001),
  std('senior_secondary', 'rural', 13.5, STANDARDS_2001_FROM, UNIFIED_UNTIL, NATIONAL_STANDARDS_2001),
  std('junior_secondary', 'urban', 13.5, STANDARDS_2001_FROM, UNIFIED_UNTIL, NATIONAL_STANDARDS_2001),
  std('junior_secondary', 'county_town', 16, STANDARDS_2001_FROM, UNIFIED_UNTIL, NATIONAL_STANDARDS_2001),
  std('junior_secondary', 'rural', 18, STANDARDS_2001_FROM, UNIFIED_UNTIL, NATIONAL_STANDARDS_2001),
  std('primary', 'urban', 19, STANDARDS_2001_FROM, UNIFIED_UNTIL, NATIONAL_STANDARDS_2001),
  std('primary', 'county_town', 21, STANDARDS_2001_FROM, UNIFIED_UNTIL, NATIONAL_STANDARDS_2001),
  std('primary', 'rural', 23, STANDARDS_2001_FROM, UNIFIED_UNTIL, NATIONAL_STANDARDS_2001),
  // Since 2014 one ratio for city, county town and rural schools.
  std('senior_secondary', null, 12.5, UNIFIED_FROM, null, UNIFIED_2014),
  std('junior_secondary', null, 13.5, UNIFIED_FROM, null, UNIFIED_2014),
  std('primary', null, 19, UNIFIED_FROM, null, UNIFIED_2014),
  // Kindergarten ranges (staff : children); the quota is computed from the upper end (fewest staff).
  std('kindergarten', null, 7, '2013-01-08', null, KINDERGARTEN_2013, { variant: 'full_day', students_per_staff_low: 5 }),
  std('kindergarten', null, 13, '2013-01-08', null, KINDERGARTEN_2013, { variant: 'half_day', students_per_staff_low: 11 }),
  std('vocational', null, 20, '2010-07-06', null, VOCATIONAL_2010),
];

/** Retirement ages and the 2025 gradual increase (one month per four months of birth, at most 36). */
export const RETIREMENT_RULE_ROWS: Row[] = [
  { gender: 1, base_age: 60, reform_from_birth: '1965-01-01', months_per_step: 4, max_delay_months: 36, source: '全国人大常委会关于实施渐进式延迟法定退休年龄的决定 (2024)' },
  { gender: 2, base_age: 55, reform_from_birth: '1970-01-01', months_per_step: 4, max_delay_months: 36, source: '全国人大常委会关于实施渐进式延迟法定退休年龄的决定 (2024)' },
];

export const NATIONAL_ROTATION_ROW: Row = {
  province_code: null,
  min_years_at_school: 6,
  age_limit_male: null,
  age_limit_female: null,
  min_share_of_eligible: 0.1,
  min_share_key_teachers: 0.2,
  effective_from: '2014-08-13',
  source: '教师〔2014〕4号 (关于推进县(区)域内义务教育学校校长教师交流轮岗的意见)',
};

const STAGES = "'kindergarten','primary','junior_secondary','senior_secondary','vocational'";
const LOCALES = "'urban','county_town','rural'";
const CATEGORIES = "'management','professional_technical','skilled_support'";

function timestamps(t: Knex.CreateTableBuilder, knex: Knex) {
  t.integer('version').notNullable().defaultTo(1);
  t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
}

/** A fresh builder per statement: a knex SchemaBuilder replays every earlier call when awaited again. */
const schemaOf = (knex: Knex, schema: string) => ({
  createTable: (name: string, build: (t: Knex.CreateTableBuilder) => void) => knex.schema.withSchema(schema).createTable(name, build),
  alterTable: (name: string, build: (t: Knex.AlterTableBuilder) => void) => knex.schema.withSchema(schema).alterTable(name, build),
  dropTableIfExists: (name: string) => knex.schema.withSchema(schema).dropTableIfExists(name),
});

export const createStandardsPostsTransfersRotation: SchemaMigration = {
  name: '20261128120000_create_standards_posts_transfers_rotation',
  async up(knex, schema) {
    const s = schemaOf(knex, schema);
    await s.createTable('staffing_standard', (t) => {
      t.bigIncrements('id').primary();
      t.text('province_code');
      t.text('stage').notNullable();
      t.text('locale');
      t.text('variant').notNullable().defaultTo('all');
      t.decimal('students_per_staff', 6, 2).notNullable();
      t.decimal('students_per_staff_low', 6, 2);
      t.date('effective_from').notNullable();
      t.date('effective_to');
      t.text('source').notNullable();
      t.check(`stage in (${STAGES})`, [], 'staffing_standard_stage_check');
      t.check(`locale is null or locale in (${LOCALES})`, [], 'staffing_standard_locale_check');
      t.check('students_per_staff > 0 and (students_per_staff_low is null or students_per_staff_low between 0.01 and students_per_staff)', [], 'staffing_standard_ratio_check');
      t.check('effective_to is null or effective_to >= effective_from', [], 'staffing_standard_dates_check');
      t.index(['stage', 'effective_from']);
    });
    await s.createTable('staffing_extra_rule', (t) => {
      t.bigIncrements('id').primary();
      t.text('province_code').notNullable();
      t.text('kind').notNullable();
      t.decimal('boarders_per_staff', 6, 2);
      t.decimal('staff_per_class', 4, 2);
      t.integer('below_students');
      t.date('effective_from').notNullable();
      t.date('effective_to');
      t.text('source').notNullable();
      t.check(
        "(kind = 'boarding' and boarders_per_staff > 0) or (kind = 'small_teaching_point' and staff_per_class > 0 and below_students > 0)",
        [],
        'staffing_extra_rule_kind_check',
      );
      t.check('effective_to is null or effective_to >= effective_from', [], 'staffing_extra_rule_dates_check');
    });
    await s.createTable('enrolment', (t) => {
      t.text('org_id').notNullable();
      t.smallint('year').notNullable();
      t.text('stage').notNullable();
      t.smallint('grade').notNullable();
      t.integer('students').notNullable();
      t.integer('classes').notNullable();
      t.integer('boarders').notNullable().defaultTo(0);
      t.primary(['org_id', 'year', 'stage', 'grade']);
      t.check(`stage in (${STAGES})`, [], 'enrolment_stage_check');
      t.check('grade between 1 and 6', [], 'enrolment_grade_check');
      t.check('students >= 0 and classes >= 0 and boarders between 0 and students', [], 'enrolment_counts_check');
    });
    // One version per school and year: the rows of a year are replaced together.
    await s.createTable('enrolment_version', (t) => {
      t.text('org_id').notNullable();
      t.smallint('year').notNullable();
      timestamps(t, knex);
      t.primary(['org_id', 'year']);
    });
    // Projection of registry facts (school stage and locale) for set-based quota and rotation rules.
    await s.createTable('school_profile', (t) => {
      t.text('org_id').primary();
      t.text('stage').notNullable();
      t.text('locale').notNullable();
      t.boolean('is_public').notNullable();
      t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    });
    // Owned here: the education bureau's designation of high-quality [优质] and weak [薄弱] schools.
    await s.createTable('school_designation', (t) => {
      t.text('org_id').notNullable();
      t.text('designation').notNullable();
      t.date('designated_on').notNullable();
      t.primary(['org_id', 'designation']);
      t.check("designation in ('high_quality','weak')", [], 'school_designation_check');
    });
    // Projection of registry facts (birth date, gender) for retirement forecasts and rotation age limits.
    await s.createTable('teacher_profile', (t) => {
      t.uuid('teacher_id').primary();
      t.date('birth_date');
      t.smallint('gender');
      t.boolean('is_key_teacher').notNullable().defaultTo(false);
      t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    });
    await s.createTable('retirement_rule', (t) => {
      t.smallint('gender').primary();
      t.smallint('base_age').notNullable();
      t.date('reform_from_birth');
      t.smallint('months_per_step').notNullable();
      t.smallint('max_delay_months').notNullable();
      t.text('source').notNullable();
    });
    await s.alterTable('employment', (t) => {
      t.text('contract_kind').notNullable().defaultTo('employment_contract');
      t.integer('version').notNullable().defaultTo(1);
      t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      t.uuid('transfer_id');
    });
    await knex.raw(
      `alter table ??.employment add constraint employment_contract_kind_check check (contract_kind in ('employment_contract','labour_contract','agency'))`,
      [schema],
    );
    await s.alterTable('staffing_quota', (t) => {
      t.integer('version').notNullable().defaultTo(1);
      t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    });
    await s.createTable('post_plan', (t) => {
      t.text('org_id').notNullable();
      t.smallint('year').notNullable();
      t.text('category').notNullable();
      t.smallint('grade').notNullable();
      t.integer('ceiling').notNullable();
      timestamps(t, knex);
      t.primary(['org_id', 'year', 'category', 'grade']);
      t.check(`category in (${CATEGORIES})`, [], 'post_plan_category_check');
      t.check('ceiling >= 0', [], 'post_plan_ceiling_check');
    });
    await s.createTable('post_appointment', (t) => {
      t.uuid('id').primary();
      t.uuid('teacher_id').notNullable();
      t.text('org_id').notNullable();
      t.text('category').notNullable();
      t.smallint('grade').notNullable();
      t.date('starts_on').notNullable();
      t.date('ends_on');
      timestamps(t, knex);
      t.check(`category in (${CATEGORIES})`, [], 'post_appointment_category_check');
      t.check(
        "(category = 'management' and grade between 1 and 10) or (category = 'professional_technical' and grade between 1 and 13) or (category = 'skilled_support' and grade between 1 and 5)",
        [],
        'post_appointment_grade_check',
      );
      t.check('ends_on is null or ends_on >= starts_on', [], 'post_appointment_dates_check');
      t.index(['teacher_id']);
      t.index(['org_id', 'category', 'grade']);
    });
    await s.createTable('transfer', (t) => {
      t.uuid('id').primary();
      t.text('kind').notNullable();
      t.uuid('teacher_id').notNullable();
      t.text('from_org_id');
      t.text('to_org_id');
      t.boolean('on_quota').notNullable();
      t.date('effective_on').notNullable();
      t.text('reason');
      t.text('status').notNullable().defaultTo('pending');
      t.text('requested_by').notNullable();
      t.timestamp('completed_at', { useTz: true });
      timestamps(t, knex);
      t.check(
        "kind in ('new_hire','transfer_within_province','transfer_across_provinces','leave','retire')",
        [],
        'transfer_kind_check',
      );
      t.check("status in ('pending','completed','rejected')", [], 'transfer_status_check');
      t.index(['teacher_id']);
      t.index(['from_org_id']);
      t.index(['to_org_id']);
    });
    await knex.raw(`create unique index transfer_one_pending_per_teacher on ??.transfer (teacher_id) where status = 'pending'`, [schema]);
    await s.createTable('transfer_approval', (t) => {
      t.uuid('transfer_id').notNullable().references('id').inTable(`${schema}.transfer`).onDelete('CASCADE');
      t.text('step').notNullable();
      t.boolean('approved').notNullable();
      t.text('decided_by').notNullable();
      t.text('decided_by_org').notNullable();
      t.text('comment');
      t.timestamp('decided_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      t.primary(['transfer_id', 'step']);
      t.check("step in ('releasing_school','releasing_superior','receiving_school','receiving_superior')", [], 'transfer_approval_step_check');
    });
    await s.createTable('rotation_parameter', (t) => {
      t.bigIncrements('id').primary();
      t.text('province_code');
      t.smallint('min_years_at_school').notNullable();
      t.smallint('age_limit_male');
      t.smallint('age_limit_female');
      t.decimal('min_share_of_eligible', 4, 3).notNullable();
      t.decimal('min_share_key_teachers', 4, 3).notNullable();
      t.date('effective_from').notNullable();
      t.date('effective_to');
      t.text('source').notNullable();
      t.check('min_years_at_school > 0 and min_share_of_eligible between 0 and 1 and min_share_key_teachers between 0 and 1', [], 'rotation_parameter_check');
    });
    await s.createTable('rotation_exemption', (t) => {
      t.uuid('teacher_id').notNullable();
      t.smallint('year').notNullable();
      t.text('reason').notNullable();
      t.primary(['teacher_id', 'year']);
    });
    await s.createTable('rotation_plan', (t) => {
      t.uuid('id').primary();
      t.text('county_id').notNullable();
      t.smallint('year').notNullable();
      t.text('status').notNullable().defaultTo('draft');
      timestamps(t, knex);
      t.unique(['county_id', 'year']);
      t.check("status in ('draft','submitted')", [], 'rotation_plan_status_check');
    });
    await s.createTable('rotation_assignment', (t) => {
      t.uuid('id').primary();
      t.uuid('plan_id').notNullable().references('id').inTable(`${schema}.rotation_plan`).onDelete('CASCADE');
      t.uuid('teacher_id').notNullable();
      t.text('home_org_id').notNullable();
      t.text('host_org_id').notNullable();
      t.text('kind').notNullable();
      t.date('starts_on').notNullable();
      t.date('ends_on').notNullable();
      t.text('status').notNullable().defaultTo('planned');
      t.boolean('key_teacher').notNullable();
      t.boolean('from_urban_or_high_quality').notNullable();
      timestamps(t, knex);
      t.unique(['plan_id', 'teacher_id']);
      t.index(['teacher_id']);
      t.check("kind in ('exchange','support_teaching','itinerant')", [], 'rotation_assignment_kind_check');
      t.check("status in ('planned','completed')", [], 'rotation_assignment_status_check');
      t.check('ends_on > starts_on and home_org_id <> host_org_id', [], 'rotation_assignment_check');
    });

    await knex(`${schema}.staffing_standard`).insert(NATIONAL_STANDARD_ROWS);
    await knex(`${schema}.retirement_rule`).insert(RETIREMENT_RULE_ROWS);
    await knex(`${schema}.rotation_parameter`).insert(NATIONAL_ROTATION_ROW);
  },
  async down(knex, schema) {
    const s = schemaOf(knex, schema);
    for (const table of [
      'rotation_assignment',
      'rotation_plan',
      'rotation_exemption',
      'rotation_parameter',
      'transfer_approval',
      'transfer',
      'post_appointment',
      'post_plan',
      'retirement_rule',
      'teacher_profile',
      'school_designation',
      'school_profile',
      'enrolment_version',
      'enrolment',
      'staffing_extra_rule',
      'staffing_standard',
    ]) {
      await s.dropTableIfExists(table);
    }
    await knex.raw('alter table ??.employment drop constraint if exists employment_contract_kind_check', [schema]);
    await s.alterTable('employment', (t) => {
      t.dropColumns('contract_kind', 'version', 'updated_at', 'transfer_id');
    });
    await s.alterTable('staffing_quota', (t) => {
      t.dropColumns('version', 'updated_at');
    });
  },
};
