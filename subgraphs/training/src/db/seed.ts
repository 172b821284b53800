import type { Knex } from 'knex';
import type { Db } from '../../../shared/src/db';
import { seededRandom, type DemoDataset } from '../../../shared/src/demo/dataset';
import { insertInBatches, seedTeacherScope } from '../../../shared/src/projections';
import type { TrainingForm } from '../domain/credit-rules';
import { bankUnbankedRecords, refreshCompletionRollup } from '../repositories/credit-bank';

/** This subgraph's own demo data, derived deterministically from the shared data set. */
const TRAINING_DEMO_SEED = 20161212;

function uuidFrom(random: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16));
  hex[12] = '4';
  hex[16] = ((parseInt(hex[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  const s = hex.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}

const FORMS: TrainingForm[] = ['centralised', 'online', 'school_based', 'teaching_research', 'practice'];

/**
 * Two different rule sets, as the 2016 guidance describes them:
 * - 湖北 (420000): 10 hours of formal training (centralised, practice) = 1 credit, 20 hours of
 *   online, school-based or teaching-research study = 1 credit; 36 credits per cycle. From 2024,
 *   teaching research confirmed at county level counts as formal (10 hours = 1 credit).
 * - 北京 (110000) and 甘肃 (620000): 1 hour = 1 credit, 360 per cycle, at least 48 per year.
 */
export function demoCreditRules() {
  const random = seededRandom(TRAINING_DEMO_SEED + 1);
  const policies = [
    { province_code: '420000', effective_from: '2016-01-01', cycle_required_credits: 36, cycle_required_hours: 360, annual_minimum_credits: null, credits_per_degree_credit: 2, source_document: '湖北省中小学教师继续教育学分管理办法（示例）' },
    { province_code: '110000', effective_from: '2016-01-01', cycle_required_credits: 360, cycle_required_hours: 360, annual_minimum_credits: 48, credits_per_degree_credit: 18, source_document: '北京市中小学教师继续教育学分管理办法（示例）' },
    { province_code: '620000', effective_from: '2016-01-01', cycle_required_credits: 360, cycle_required_hours: 360, annual_minimum_credits: 48, credits_per_degree_credit: 18, source_document: '甘肃省中小学教师继续教育学分管理办法（示例）' },
  ].map((p) => ({ id: uuidFrom(random), ...p }));
  const hubei: Record<TrainingForm, number> = { centralised: 10, practice: 10, online: 20, school_based: 20, teaching_research: 20 };
  const conversions = [
    ...FORMS.map((form) => ({ province_code: '420000', form, effective_from: '2016-01-01', hours_per_credit: hubei[form] })),
    { province_code: '420000', form: 'teaching_research' as TrainingForm, effective_from: '2024-01-01', hours_per_credit: 10 },
    ...FORMS.map((form) => ({ province_code: '110000', form, effective_from: '2016-01-01', hours_per_credit: 1 })),
    ...FORMS.map((form) => ({ province_code: '620000', form, effective_from: '2016-01-01', hours_per_credit: 1 })),
  ].map((c) => ({ id: uuidFrom(random), ...c }));
  return { policies, conversions };
}

interface DemoCourse {
  title: string;
  form: TrainingForm;
  hours: number;
  compulsory: boolean;
  subject: string | null;
  stage: string | null;
  capacity: number;
  startsOn: string;
  endsOn: string;
}

const DEMO_PROGRAMMES: { title: string; level: string; organiser: string; courses: DemoCourse[] }[] = [
  {
    title: '国培计划（2026）——中小学教师能力提升',
    level: 'national',
    organiser: 'CN',
    courses: [
      { title: '新课标核心素养专题', form: 'centralised', hours: 40, compulsory: true, subject: null, stage: null, capacity: 120, startsOn: '2026-03-02', endsOn: '2026-03-11' },
      { title: '人工智能助推教师教学', form: 'online', hours: 30, compulsory: false, subject: null, stage: null, capacity: 500, startsOn: '2026-04-01', endsOn: '2026-12-20' },
    ],
  },
  {
    title: '湖北省中小学教师全员培训（2026）',
    level: 'provincial',
    organiser: '420000',
    courses: [
      { title: '大单元教学设计', form: 'school_based', hours: 20, compulsory: true, subject: null, stage: 'primary', capacity: 150, startsOn: '2026-05-06', endsOn: '2026-06-30' },
      { title: '高中数学新教材研读', form: 'centralised', hours: 24, compulsory: false, subject: 'mathematics', stage: 'senior_secondary', capacity: 40, startsOn: '2026-07-06', endsOn: '2026-07-09' },
    ],
  },
  {
    title: '洪山区联片教研（2026秋）',
    level: 'county',
    organiser: '420111',
    courses: [{ title: '课堂观察与评课', form: 'teaching_research', hours: 8, compulsory: false, subject: null, stage: null, capacity: 30, startsOn: '2026-10-12', endsOn: '2026-12-25' }],
  },
  {
    title: '北京市中小学教师继续教育（2026）',
    level: 'provincial',
    organiser: '110000',
    courses: [{ title: '师德师风专题研修', form: 'centralised', hours: 24, compulsory: true, subject: null, stage: null, capacity: 200, startsOn: '2026-03-02', endsOn: '2026-03-06' }],
  },
  {
    title: '甘肃省乡村教师能力提升计划',
    level: 'provincial',
    organiser: '620000',
    courses: [{ title: '跟岗实践：省城优质学校', form: 'practice', hours: 30, compulsory: false, subject: null, stage: null, capacity: 25, startsOn: '2026-06-01', endsOn: '2026-06-20' }],
  },
];

/** Courses ending on or before this day are finished in the demo data (fixed, so reruns agree). */
const DEMO_FINISHED_BY = '2026-11-01';

async function seedCatalogue(trx: Knex.Transaction, db: Db, dataset: DemoDataset): Promise<void> {
  const random = seededRandom(TRAINING_DEMO_SEED + 2);
  const paths = new Map(dataset.orgUnits.map((o) => [o.id, o.path]));
  const programmes = [];
  const courses = [];
  const enrolments = [];
  const records = [];
  for (const p of DEMO_PROGRAMMES) {
    const programmeId = uuidFrom(random);
    const organiserPath = paths.get(p.organiser) as string;
    programmes.push({ id: programmeId, title: p.title, level: p.level, organiser_org_id: p.organiser, organiser_org_path: organiserPath, created_by: 'demo' });
    for (const c of p.courses) {
      const courseId = uuidFrom(random);
      const eligible = dataset.teachers.filter((t) => t.orgPath.startsWith(organiserPath));
      const chosen = eligible.filter(() => random() < 0.25).slice(0, c.capacity);
      courses.push({ id: courseId, programme_id: programmeId, title: c.title, form: c.form, hours: c.hours, compulsory: c.compulsory, subject: c.subject, stage: c.stage, capacity: c.capacity, enrolled_count: chosen.length, starts_on: c.startsOn, ends_on: c.endsOn });
      const finished = c.endsOn <= DEMO_FINISHED_BY;
      for (const teacher of chosen) {
        const id = uuidFrom(random);
        const passed = random() < 0.9;
        const recordId = finished && passed ? uuidFrom(random) : null;
        enrolments.push({
          id,
          course_id: courseId,
          teacher_id: teacher.id,
          status: finished ? (passed ? 'completed' : 'failed') : 'enrolled',
          hours_completed: recordId ? c.hours : null,
          completed_on: finished ? c.endsOn : null,
          training_record_id: recordId,
          enrolled_by: 'demo',
        });
        if (recordId) {
          records.push({ id: recordId, teacher_id: teacher.id, title: c.title, form: c.form, hours: c.hours, completed_on: c.endsOn, source: 'course', source_id: id, organiser: p.organiser });
        }
      }
    }
  }
  await insertInBatches(trx, db.t('training_programme'), programmes);
  await insertInBatches(trx, db.t('training_course'), courses);
  await insertInBatches(trx, db.t('training_record'), records);
  await insertInBatches(trx, db.t('course_enrolment'), enrolments);
}

const DECLARATION_TITLES: [string, TrainingForm, string, number][] = [
  ['华中师范大学暑期骨干教师研修班', 'centralised', '华中师范大学', 40],
  ['中国教育学会年会分论坛', 'teaching_research', '中国教育学会', 6],
  ['国家智慧教育平台寒假研修', 'online', '国家智慧教育公共服务平台', 10],
  ['名师工作室跟岗学习', 'practice', '省名师工作室', 20],
];

async function seedDeclarations(trx: Knex.Transaction, db: Db, dataset: DemoDataset): Promise<void> {
  const random = seededRandom(TRAINING_DEMO_SEED + 3);
  const declarations = [];
  const records = [];
  const statuses = ['submitted', 'school_approved', 'recognised', 'recognised', 'rejected', 'returned'] as const;
  for (const teacher of dataset.teachers.filter(() => random() < 0.08)) {
    const [title, form, organiser, hours] = DECLARATION_TITLES[Math.floor(random() * DECLARATION_TITLES.length)] as (typeof DECLARATION_TITLES)[number];
    const status = statuses[Math.floor(random() * statuses.length)] as (typeof statuses)[number];
    const id = uuidFrom(random);
    const completedOn = `${2024 + Math.floor(random() * 3)}-0${1 + Math.floor(random() * 9)}-1${Math.floor(random() * 9)}`;
    const recordId = status === 'recognised' ? uuidFrom(random) : null;
    const county = teacher.orgPath.split('/').at(-3) as string;
    declarations.push({
      id,
      teacher_id: teacher.id,
      org_path: teacher.orgPath,
      client_request_id: `demo-${id}`,
      title,
      form,
      organiser,
      hours,
      completed_on: completedOn,
      evidence_ref: `证书编号 ${id.slice(0, 8).toUpperCase()}`,
      status,
      declared_by: `demo-teacher-${teacher.id}`,
      school_comment: status === 'returned' ? '证明材料不清晰，请补充。' : null,
      decided_by_org_id: status === 'recognised' || status === 'rejected' ? county : null,
      rejection_reason: status === 'rejected' ? '该活动未经县级以上教研部门确认。' : null,
      training_record_id: recordId,
    });
    if (recordId) records.push({ id: recordId, teacher_id: teacher.id, title, form, hours, completed_on: completedOn, source: 'declaration', source_id: id, organiser });
  }
  // Some teachers attended a full-time three-month programme (360 hours): they meet the cycle
  // requirement in every province, so completion rates are not all zero in the demo.
  const longProgramme = seededRandom(TRAINING_DEMO_SEED + 4);
  for (const teacher of dataset.teachers.filter(() => longProgramme() < 0.12)) {
    const id = uuidFrom(longProgramme);
    const recordId = uuidFrom(longProgramme);
    const title = '国培计划——骨干教师脱产研修（三个月）';
    const organiser = '教育部 国培计划';
    const county = teacher.orgPath.split('/').at(-3) as string;
    declarations.push({
      id, teacher_id: teacher.id, org_path: teacher.orgPath, client_request_id: `demo-${id}`, title, form: 'centralised', organiser, hours: 360,
      completed_on: '2025-06-30', evidence_ref: `结业证书 ${id.slice(0, 8).toUpperCase()}`, status: 'recognised', declared_by: `demo-teacher-${teacher.id}`,
      school_comment: null, decided_by_org_id: county, rejection_reason: null, training_record_id: recordId,
    });
    records.push({ id: recordId, teacher_id: teacher.id, title, form: 'centralised', hours: 360, completed_on: '2025-06-30', source: 'declaration', source_id: id, organiser });
  }
  await insertInBatches(trx, db.t('credit_declaration'), declarations);
  await insertInBatches(trx, db.t('training_record'), records);
}

export async function seedDemo(db: Db, dataset: DemoDataset): Promise<boolean> {
  const existing = await db.knex(db.t('training_cycle')).first('id');
  if (existing) {
    // A database loaded before org_scope existed still needs the projection for subtree figures;
    // the rest of the demo data is only loaded into an empty database.
    if (await db.knex(db.t('org_scope')).first('org_id')) return false;
    await db.knex.transaction((trx) => insertInBatches(trx, db.t('org_scope'), dataset.orgUnits.map((o) => ({ org_id: o.id, org_path: o.path }))));
    return true;
  }
  await db.knex.transaction(async (trx) => {
    await seedTeacherScope(trx, db, dataset);
    await insertInBatches(trx, db.t('org_scope'), dataset.orgUnits.map((o) => ({ org_id: o.id, org_path: o.path })));
    await trx(db.t('training_cycle')).insert([
      { id: '2019-2023', starts_on: '2019-01-01', ends_on: '2023-12-31', required_hours: 360 },
      { id: '2024-2028', starts_on: '2024-01-01', ends_on: '2028-12-31', required_hours: 360 },
    ]);
    const rules = demoCreditRules();
    await insertInBatches(trx, db.t('credit_policy'), rules.policies);
    await insertInBatches(trx, db.t('credit_conversion_rule'), rules.conversions);
    await insertInBatches(
      trx,
      db.t('training_record'),
      dataset.trainingRecords.map((r) => ({ id: r.id, teacher_id: r.teacherId, title: r.title, form: r.form, hours: r.hours, completed_on: r.completedOn })),
    );
    await seedCatalogue(trx, db, dataset);
    await seedDeclarations(trx, db, dataset);
    // Every completed activity is banked under the rules of the teacher's province.
    await bankUnbankedRecords(trx, db, 'demo');
  });
  // Fresh tables have no planner statistics until autovacuum runs; without them the planner
  // believes the ledger is empty and joins it by nested loops.
  for (const table of ['teacher_scope', 'org_scope', 'training_record', 'credit_ledger_entry', 'credit_declaration', 'course_enrolment']) {
    await db.knex.raw('analyze ??', [`${db.schema}.${table}`]);
  }
  // The load marked every school for the completion rollup: count them now, not in the first request.
  await refreshCompletionRollup(db);
  return true;
}
