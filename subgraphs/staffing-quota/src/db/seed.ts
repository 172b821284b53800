import type { Knex } from 'knex';
import type { Db } from '../../../shared/src/db';
import { seededRandom, type DemoDataset } from '../../../shared/src/demo/dataset';
import { insertInBatches, seedTeacherScope } from '../../../shared/src/projections';
import { GRADES_PER_STAGE, STAGES_OF_SCHOOL, type EducationStageValue } from '../domain/codes';

/** This subgraph's own demo seed, so its extra data never shifts the shared data set's random stream. */
const STAFFING_DEMO_SEED = 20140813;
const DEMO_SOURCE = 'demo value (演示数据), not a published provincial figure';
const ENROLMENT_YEARS = [2024, 2025, 2026];
const CLASS_SIZE: Record<EducationStageValue, number> = { kindergarten: 30, primary: 45, junior_secondary: 50, senior_secondary: 50, vocational: 45 };
const RATIO: Record<EducationStageValue, number> = { kindergarten: 7, primary: 19, junior_secondary: 13.5, senior_secondary: 12.5, vocational: 20 };
const HIGH_QUALITY_SCHOOLS = ['1111000102', '1111000201', '1142000102', '1142000201'];
const WEAK_SCHOOLS = ['1142000202', '1142000302', '1162000103', '1111000301'];

/** Deterministic rows derived from the shared demo data set; exported for tests that check figures. */
export function buildStaffingDemo(dataset: DemoDataset) {
  const random = seededRandom(STAFFING_DEMO_SEED);
  const schools = dataset.orgUnits.filter((o) => o.level === 'school');
  const teachersBySchool = new Map<string, DemoDataset['teachers']>();
  for (const t of dataset.teachers) teachersBySchool.set(t.schoolId, [...(teachersBySchool.get(t.schoolId) ?? []), t]);

  const enrolment: Record<string, unknown>[] = [];
  for (const school of schools) {
    const stages = STAGES_OF_SCHOOL[school.schoolStage as string] ?? [];
    const teachers = teachersBySchool.get(school.id)?.length ?? 0;
    const totalGrades = stages.reduce((n, s) => n + GRADES_PER_STAGE[s], 0);
    // Enrolment sized so the standard quota lands near the teachers the school has: some short, some over.
    const meanRatio = stages.reduce((n, s) => n + RATIO[s] * GRADES_PER_STAGE[s], 0) / Math.max(1, totalGrades);
    const perGrade = (teachers * meanRatio * (0.85 + random() * 0.3)) / Math.max(1, totalGrades);
    const boardingShare = school.locale === 'rural' ? 0.5 : school.schoolStage === 'senior_secondary' && school.locale === 'county_town' ? 0.4 : 0;
    for (const stage of stages) {
      let previous: number[] = [];
      for (const year of ENROLMENT_YEARS) {
        const grades = GRADES_PER_STAGE[stage];
        const current: number[] = [];
        for (let grade = 1; grade <= grades; grade += 1) {
          const moved = previous[grade - 2];
          const students = grade > 1 && moved !== undefined ? Math.round(moved * (0.97 + random() * 0.03)) : Math.round(perGrade * (0.9 + random() * 0.2));
          current.push(students);
          enrolment.push({
            org_id: school.id,
            year,
            stage,
            grade,
            students,
            classes: Math.max(1, Math.ceil(students / CLASS_SIZE[stage])),
            boarders: Math.round(students * boardingShare),
          });
        }
        previous = current;
      }
    }
  }
  const enrolmentVersions = schools.flatMap((s) => (STAGES_OF_SCHOOL[s.schoolStage as string] ? ENROLMENT_YEARS.map((year) => ({ org_id: s.id, year })) : []));

  const teacherProfiles = dataset.teachers.map((t) => ({
    teacher_id: t.id,
    birth_date: t.birthDate,
    gender: t.gender,
    // About one in six teachers of 30 or older is a recognised key teacher [骨干教师].
    is_key_teacher: Number(t.birthDate.slice(0, 4)) <= 1996 && random() < 0.17,
  }));

  const appointments: Record<string, unknown>[] = [];
  const onQuota = new Set(dataset.employments.filter((e) => e.onQuota).map((e) => e.teacherId));
  for (const t of dataset.teachers) {
    if (!onQuota.has(t.id)) continue;
    const age = 2025 - Number(t.birthDate.slice(0, 4));
    const [low, high] = age >= 50 ? [5, 7] : age >= 40 ? [7, 10] : age >= 30 ? [9, 12] : [12, 13];
    const grade = low + Math.floor(random() * (high - low + 1));
    const startsOn = t.startedWorkOn > '2019-09-01' ? t.startedWorkOn : '2019-09-01';
    appointments.push({ id: demoUuid(random), teacher_id: t.id, org_id: t.schoolId, category: 'professional_technical', grade, starts_on: startsOn });
  }
  const postPlans: Record<string, unknown>[] = [];
  for (const school of schools.filter((s) => s.isPublic)) {
    for (const year of [2025, 2026]) {
      for (let grade = 4; grade <= 13; grade += 1) {
        const appointed = appointments.filter((a) => a.org_id === school.id && a.grade === grade).length;
        postPlans.push({ org_id: school.id, year, category: 'professional_technical', grade, ceiling: appointed + Math.floor(random() * 3) });
      }
    }
  }

  const extraRules = [
    { province_code: '420000', kind: 'boarding', boarders_per_staff: 40, effective_from: '2015-01-01', source: DEMO_SOURCE },
    { province_code: '420000', kind: 'small_teaching_point', staff_per_class: 1.5, below_students: 200, effective_from: '2015-01-01', source: DEMO_SOURCE },
    { province_code: '620000', kind: 'boarding', boarders_per_staff: 50, effective_from: '2016-01-01', source: DEMO_SOURCE },
    { province_code: '620000', kind: 'small_teaching_point', staff_per_class: 1.7, below_students: 100, effective_from: '2016-01-01', source: DEMO_SOURCE },
  ];
  const rotationParameters = [
    { province_code: '110000', min_years_at_school: 6, age_limit_male: 55, age_limit_female: 50, min_share_of_eligible: 0.1, min_share_key_teachers: 0.2, effective_from: '2015-01-01', source: DEMO_SOURCE },
    { province_code: '420000', min_years_at_school: 6, age_limit_male: 55, age_limit_female: 50, min_share_of_eligible: 0.1, min_share_key_teachers: 0.2, effective_from: '2015-01-01', source: DEMO_SOURCE },
    { province_code: '620000', min_years_at_school: 5, age_limit_male: 57, age_limit_female: 52, min_share_of_eligible: 0.1, min_share_key_teachers: 0.2, effective_from: '2016-01-01', source: DEMO_SOURCE },
  ];
  const designations = [
    ...HIGH_QUALITY_SCHOOLS.map((org_id) => ({ org_id, designation: 'high_quality', designated_on: '2018-09-01' })),
    ...WEAK_SCHOOLS.map((org_id) => ({ org_id, designation: 'weak', designated_on: '2018-09-01' })),
  ];
  const schoolProfiles = schools.map((s) => ({ org_id: s.id, stage: s.schoolStage, locale: s.locale, is_public: s.isPublic }));
  return { enrolment, enrolmentVersions, teacherProfiles, appointments, postPlans, extraRules, rotationParameters, designations, schoolProfiles };
}

function demoUuid(random: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16));
  hex[12] = '4';
  hex[16] = '8';
  const s = hex.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}

export async function seedDemo(db: Db, dataset: DemoDataset): Promise<boolean> {
  const existing = await db.knex(db.t('org_scope')).first('org_id');
  if (existing) return false;
  const demo = buildStaffingDemo(dataset);
  await db.knex.transaction(async (trx: Knex.Transaction) => {
    await seedTeacherScope(trx, db, dataset);
    await insertInBatches(trx, db.t('org_scope'), dataset.orgUnits.map((o) => ({ org_id: o.id, org_path: o.path })));
    await insertInBatches(trx, db.t('school_profile'), demo.schoolProfiles);
    await insertInBatches(trx, db.t('school_designation'), demo.designations);
    await insertInBatches(trx, db.t('teacher_profile'), demo.teacherProfiles);
    await insertInBatches(
      trx,
      db.t('staffing_quota'),
      dataset.staffingQuotas.map((q) => ({ org_id: q.orgId, year: q.year, approved: q.approved })),
    );
    await insertInBatches(
      trx,
      db.t('employment'),
      dataset.employments.map((e) => ({ id: e.id, teacher_id: e.teacherId, org_id: e.orgId, on_quota: e.onQuota, starts_on: e.startsOn })),
    );
    await insertInBatches(trx, db.t('enrolment'), demo.enrolment);
    await insertInBatches(trx, db.t('enrolment_version'), demo.enrolmentVersions);
    await insertInBatches(trx, db.t('post_appointment'), demo.appointments);
    await insertInBatches(trx, db.t('post_plan'), demo.postPlans);
    await insertInBatches(trx, db.t('staffing_extra_rule'), demo.extraRules);
    await insertInBatches(trx, db.t('rotation_parameter'), demo.rotationParameters);
  });
  return true;
}
