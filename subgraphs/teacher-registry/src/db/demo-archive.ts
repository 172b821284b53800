import { createHash } from 'node:crypto';
import { seededRandom, type DemoDataset, type DemoTeacher } from '../../../shared/src/demo/dataset';
import { buildResidentId } from '../domain/resident-id';

/**
 * The registry's own share of the demo data, derived deterministically from the shared data set
 * (its own seed, so the shared generator's sequence is untouched): a valid resident ID consistent
 * with each teacher's birth date and gender, the basic-information codes, and sub-record rows.
 */
const ARCHIVE_SEED = 20261128;
/** Pay has its own sequence, so adding it left every other demo value as it was. */
const PAY_SEED = 20261129;
/** Monthly post pay [岗位工资] by post grade 1–13 (a national-scale shape, in yuan). */
const POST_PAY = [6665, 5055, 4550, 4205, 3835, 3455, 3265, 2840, 2680, 2535, 2170, 2070, 1915];
const POST_GRADE_OF_TITLE: Record<string, number> = { senior_professor: 3, senior: 6, first: 9, second: 11, third: 12, none: 13 };

/** A stable UUID derived from a name, so reseeding yields the same ids. */
export function derivedUuid(name: string): string {
  const h = createHash('sha256').update(name).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${((parseInt(h[16] as string, 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const SUBJECTS = ['语文', '数学', '英语', '物理', '化学', '生物', '历史', '地理', '道德与法治', '音乐', '体育', '美术', '信息技术'];
const UNIVERSITIES = ['华中师范大学', '北京师范大学', '西北师范大学', '湖北第二师范学院', '首都师范大学', '武汉大学', '兰州大学'];
const pick = <T>(random: () => number, items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
const addYears = (date: string, years: number) => `${Number(date.slice(0, 4)) + years}${date.slice(4)}`;

export interface DemoArchive {
  teacherColumns: Map<string, Record<string, unknown>>;
  subRecords: Record<string, Record<string, unknown>[]>;
}

export function buildDemoArchive(dataset: DemoDataset): DemoArchive {
  const random = seededRandom(ARCHIVE_SEED);
  const teacherColumns = new Map<string, Record<string, unknown>>();
  const subRecords: Record<string, Record<string, unknown>[]> = {
    teacher_education: [],
    teacher_work_history: [],
    teacher_title_appointment: [],
    teacher_qualification: [],
    teacher_skill_certificate: [],
    teacher_contact: [],
    teacher_pay: [],
  };
  const payRandom = seededRandom(PAY_SEED);
  const localeOf = new Map(dataset.orgUnits.map((o) => [o.id, o.locale]));
  const schoolName = new Map(dataset.orgUnits.map((o) => [o.id, o.name]));
  const stageOf = new Map(dataset.orgUnits.map((o) => [o.id, o.schoolStage]));
  const provenance = { source_system: 'demo', entered_by: 'demo-seed', entered_role: 'school_info_admin', verified: true };

  dataset.teachers.forEach((t: DemoTeacher, index) => {
    const county = t.orgPath.split('/').filter(Boolean).at(-2) as string;
    const residentId = buildResidentId(county, t.birthDate, 100 + (index % 800), t.gender);
    const age = 2026 - Number(t.birthDate.slice(0, 4));
    const title = age > 50 ? pick(random, ['senior', 'first']) : age > 38 ? pick(random, ['first', 'senior', 'second']) : age > 28 ? pick(random, ['second', 'first']) : pick(random, ['third', 'second', 'none']);
    const educationLevel = random() < 0.15 ? '14' : random() < 0.85 ? '21' : '31';
    const stage = stageOf.get(t.schoolId);
    teacherColumns.set(t.id, {
      id_document_type: '1',
      id_document_number: residentId,
      birthplace_code: county,
      ethnicity: county === '420528' && random() < 0.6 ? '15' : random() < 0.93 ? '01' : pick(random, ['03', '06', '11']),
      political_affiliation: random() < 0.45 ? '01' : random() < 0.3 ? '03' : '13',
      education_level: educationLevel,
      staff_category: random() < 0.88 ? '1' : pick(random, ['2', '3', '4']),
      on_quota: random() < 0.85,
      employment_form: '1',
      started_work_on: t.startedWorkOn,
      // Capped so no demo teacher joins a school in the future (starts of work reach 2025-09-01),
      // which would make every later edit of the archive fail its date check.
      joined_school_on: [addYears(t.startedWorkOn, Math.floor(random() * 4)), '2025-09-01'].sort()[0],
      subject: stage === 'kindergarten' ? '学前教育' : pick(random, SUBJECTS),
      title,
      status: 'active',
      record_status: 'approved',
      // One entry for every field: the demo archives count as collected by the school and approved.
      provenance: JSON.stringify({ '*': { enteredBy: 'demo-seed', role: 'school_info_admin', source: 'demo', verified: true, authority: 'demo' } }),
    });
    const teacherRef = (kind: string, n = 0) => ({ id: derivedUuid(`${t.id}:${kind}:${n}`), teacher_id: t.id, ...provenance });
    const graduatedOn = `${t.startedWorkOn.slice(0, 4)}-06-30`;
    subRecords.teacher_education!.push({
      ...teacherRef('education'),
      starts_on: addYears(graduatedOn, educationLevel === '31' ? -3 : -4).replace('06-30', '09-01'),
      ends_on: graduatedOn,
      institution: pick(random, UNIVERSITIES),
      major: pick(random, ['汉语言文学', '数学与应用数学', '英语', '物理学', '学前教育', '教育学']),
      education_level: educationLevel === '14' ? '21' : educationLevel,
      degree: educationLevel === '31' ? null : '学士',
      is_highest: educationLevel !== '14',
    });
    if (educationLevel === '14') {
      subRecords.teacher_education!.push({
        ...teacherRef('education', 1),
        starts_on: addYears(t.startedWorkOn, 3),
        ends_on: addYears(graduatedOn, 6),
        institution: pick(random, UNIVERSITIES),
        major: '教育硕士',
        education_level: '14',
        degree: '硕士',
        is_highest: true,
      });
    }
    subRecords.teacher_work_history!.push({
      ...teacherRef('work'),
      starts_on: t.startedWorkOn,
      ends_on: null,
      org_name: schoolName.get(t.schoolId),
      org_id: t.schoolId,
      position: '教师',
    });
    if (title !== 'none') {
      subRecords.teacher_title_appointment!.push({
        ...teacherRef('title'),
        title,
        appointed_on: addYears(t.startedWorkOn, Math.min(2026 - Number(t.startedWorkOn.slice(0, 4)), 3 + Math.floor(random() * 8))).replace('09-01', '12-01'),
        ends_on: null,
        appointing_org: schoolName.get(t.schoolId),
        document_ref: `职改〔${2010 + Math.floor(random() * 15)}〕${1 + Math.floor(random() * 30)}号`,
      });
    }
    subRecords.teacher_qualification!.push({
      ...teacherRef('qualification'),
      qualification_kind: stage === 'kindergarten' ? '1' : stage === 'primary' ? '2' : stage === 'junior_secondary' ? '3' : stage === 'vocational' ? '5' : '4',
      subject: teacherColumns.get(t.id)!.subject,
      certificate_number: `${t.startedWorkOn.slice(0, 4)}${county}${String(index + 1).padStart(7, '0')}`,
      issued_on: `${t.startedWorkOn.slice(0, 4)}-07-15`,
      issuing_authority: '县级教育行政部门',
    });
    if (random() < 0.3) {
      subRecords.teacher_skill_certificate!.push({
        ...teacherRef('skill'),
        name: pick(random, ['普通话水平测试等级证书', '心理健康教育C证', '计算机等级证书']),
        level: pick(random, ['一级乙等', '二级甲等', '二级']),
        certificate_number: null,
        issued_on: addYears(t.startedWorkOn, 1),
        issuer: '省教育厅',
      });
    }
    subRecords.teacher_contact!.push({
      ...teacherRef('contact'),
      mobile: `1${pick(random, ['3', '5', '8'])}${String(Math.floor(random() * 1e9)).padStart(9, '0')}`,
      email: null,
      address: null,
      postal_code: null,
      valid_from: t.startedWorkOn,
    });
    // Basic pay and benefits (基本待遇), as the school enters it; about one in twelve not yet entered.
    if (payRandom() < 0.92) {
      const postGrade = POST_GRADE_OF_TITLE[title] as number;
      const salaryStep = Math.min(65, 1 + Math.floor((2026 - Number(t.startedWorkOn.slice(0, 4))) * 1.3));
      const rural = localeOf.get(t.schoolId) === 'rural';
      subRecords.teacher_pay!.push({
        ...teacherRef('pay'),
        post_grade: postGrade,
        salary_step: salaryStep,
        basic_monthly_pay: (POST_PAY[postGrade - 1] as number) + 170 + salaryStep * 52,
        // Rural posts carry the rural teacher allowance (乡村教师生活补助) on top.
        monthly_allowances: Math.round(1500 + payRandom() * 3000 + (rural ? 800 : 0)),
        effective_from: '2025-07-01',
      });
    }
  });
  return { teacherColumns, subRecords };
}
