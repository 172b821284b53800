import { buildOrgPath } from '../org-scope';
import { DEMO_DIVISIONS, DEMO_SCHOOLS, type Locale, type SchoolStage } from './org-tree';
import { levelOfOrgCode, type OrgLevel } from '../identity';

/**
 * The demo data set behind `npm start`: a deterministic (seeded) picture of a few real branches of
 * the tree with about 500 teachers. Every subgraph builds the same data set and loads only its own
 * share, so the subgraphs agree on ids without sharing tables.
 */
export interface DemoOrgUnit {
  id: string;
  parentId: string | null;
  name: string;
  level: OrgLevel;
  path: string;
  schoolStage: SchoolStage | null;
  locale: Locale | null;
  isPublic: boolean | null;
}

export interface DemoTeacher {
  id: string;
  nationalTeacherNumber: string;
  name: string;
  /** GB/T 2261.1: 1 male, 2 female. */
  gender: 1 | 2;
  birthDate: string;
  schoolId: string;
  orgPath: string;
  startedWorkOn: string;
}

export interface DemoTrainingRecord {
  id: string;
  teacherId: string;
  title: string;
  form: 'centralised' | 'online' | 'school_based' | 'teaching_research' | 'practice';
  hours: number;
  completedOn: string;
}

export interface DemoEmployment {
  id: string;
  teacherId: string;
  orgId: string;
  onQuota: boolean;
  startsOn: string;
}

export interface DemoStaffingQuota {
  orgId: string;
  year: number;
  approved: number;
}

export interface DemoAssessment {
  id: string;
  teacherId: string;
  year: number;
  grade: 'excellent' | 'pass' | 'basic_pass' | 'fail';
  assessedByOrgId: string;
}

export interface DemoDataset {
  orgUnits: DemoOrgUnit[];
  teachers: DemoTeacher[];
  trainingRecords: DemoTrainingRecord[];
  employments: DemoEmployment[];
  staffingQuotas: DemoStaffingQuota[];
  assessments: DemoAssessment[];
}

/** mulberry32: small, fast, good enough for demo data, and identical on every machine. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A version-4-shaped UUID drawn from the seeded generator, so ids are stable across runs. */
function seededUuid(random: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16));
  hex[12] = '4';
  hex[16] = ((parseInt(hex[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  const s = hex.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}

const pick = <T>(random: () => number, items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
const pad = (n: number, width = 2) => String(n).padStart(width, '0');
const isoDate = (year: number, month: number, day: number) => `${year}-${pad(month)}-${pad(day)}`;

const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '黄', '赵', '吴', '周', '徐', '孙', '马', '朱', '胡', '郭', '何', '高', '林', '罗', '郑', '梁', '谢', '宋', '唐', '许', '韩', '冯', '邓', '曹'];
const GIVEN_FEMALE = ['芳', '娜', '敏', '静', '丽', '艳', '娟', '霞', '婷', '雪', '慧', '琳', '晶', '颖', '洁', '玲', '欣', '雯', '佳', '怡'];
const GIVEN_MALE = ['伟', '强', '磊', '军', '勇', '杰', '涛', '斌', '超', '明', '刚', '平', '辉', '鹏', '华', '飞', '鑫', '波', '宇', '浩'];
const GIVEN_SECOND = ['', '', '文', '晓', '海', '建', '志', '春', '秀', '红', '国', '玉', '子', '思', '雨'];

const TRAINING_TITLES: Record<DemoTrainingRecord['form'], string[]> = {
  centralised: ['国培计划——骨干教师能力提升', '省级新课标专题培训', '班主任工作能力研修'],
  online: ['信息技术应用能力提升工程2.0', '师德师风网络专题学习', '心理健康教育网络课程'],
  school_based: ['校本研修：大单元教学设计', '校本研修：作业设计与评价'],
  teaching_research: ['县级教研活动：课堂观察与评课', '区级联片教研'],
  practice: ['跟岗实践：城区优质学校', '名师工作室实践研修'],
};
const FORMS = Object.keys(TRAINING_TITLES) as DemoTrainingRecord['form'][];
const FORM_HOURS: Record<DemoTrainingRecord['form'], number[]> = {
  centralised: [24, 32, 40, 60],
  online: [10, 20, 30, 50],
  school_based: [8, 12, 16, 20],
  teaching_research: [4, 6, 8],
  practice: [20, 30, 40],
};

const DEMO_SEED = 20170201;
let cached: DemoDataset | undefined;

export function buildDemoDataset(): DemoDataset {
  if (cached) return cached;
  const random = seededRandom(DEMO_SEED);

  const paths = new Map<string, string>();
  const orgUnits: DemoOrgUnit[] = [];
  for (const division of DEMO_DIVISIONS) {
    const path = buildOrgPath(division.parent ? (paths.get(division.parent) ?? null) : null, division.code);
    paths.set(division.code, path);
    orgUnits.push({
      id: division.code,
      parentId: division.parent,
      name: division.name,
      level: levelOfOrgCode(division.code) ?? 'county',
      path,
      schoolStage: null,
      locale: null,
      isPublic: null,
    });
  }
  for (const school of DEMO_SCHOOLS) {
    const path = buildOrgPath(paths.get(school.county) ?? null, school.code);
    paths.set(school.code, path);
    orgUnits.push({
      id: school.code,
      parentId: school.county,
      name: school.name,
      level: 'school',
      path,
      schoolStage: school.stage,
      locale: school.locale,
      isPublic: school.isPublic,
    });
  }

  const teachers: DemoTeacher[] = [];
  const trainingRecords: DemoTrainingRecord[] = [];
  const employments: DemoEmployment[] = [];
  const assessments: DemoAssessment[] = [];
  const staffingQuotas: DemoStaffingQuota[] = [];
  let sequence = 0;

  for (const school of DEMO_SCHOOLS) {
    // Kindergartens and primary schools employ more women than secondary schools do.
    const femaleShare = school.stage === 'kindergarten' ? 0.95 : school.stage === 'primary' ? 0.8 : 0.6;
    let onQuotaCount = 0;
    for (let i = 0; i < school.teachers; i += 1) {
      sequence += 1;
      const gender: 1 | 2 = random() < femaleShare ? 2 : 1;
      const given = pick(random, GIVEN_SECOND) + pick(random, gender === 2 ? GIVEN_FEMALE : GIVEN_MALE);
      const birthYear = 1966 + Math.floor(random() * 37); // aged about 23 to 60 in 2026
      const startedYear = Math.min(2025, birthYear + 22 + Math.floor(random() * 3));
      const teacher: DemoTeacher = {
        id: seededUuid(random),
        // Province of first registration, year of first registration, ten-digit sequence.
        nationalTeacherNumber: `${school.county.slice(0, 2)}${startedYear}${pad(sequence, 10)}`,
        name: pick(random, SURNAMES) + given,
        gender,
        birthDate: isoDate(birthYear, 1 + Math.floor(random() * 12), 1 + Math.floor(random() * 28)),
        schoolId: school.code,
        orgPath: paths.get(school.code) as string,
        startedWorkOn: isoDate(startedYear, 9, 1),
      };
      teachers.push(teacher);

      const records = 2 + Math.floor(random() * 7);
      for (let r = 0; r < records; r += 1) {
        const form = pick(random, FORMS);
        trainingRecords.push({
          id: seededUuid(random),
          teacherId: teacher.id,
          title: pick(random, TRAINING_TITLES[form]),
          form,
          hours: pick(random, FORM_HOURS[form]),
          completedOn: isoDate(2022 + Math.floor(random() * 5), 1 + Math.floor(random() * 11), 1 + Math.floor(random() * 28)),
        });
      }

      const onQuota = school.isPublic && random() < 0.88;
      if (onQuota) onQuotaCount += 1;
      employments.push({ id: seededUuid(random), teacherId: teacher.id, orgId: school.code, onQuota, startsOn: teacher.startedWorkOn });

      for (let year = Math.max(2021, startedYear + 1); year <= 2025; year += 1) {
        const roll = random();
        const grade = roll < 0.16 ? 'excellent' : roll < 0.96 ? 'pass' : roll < 0.985 ? 'basic_pass' : 'fail';
        assessments.push({ id: seededUuid(random), teacherId: teacher.id, year, grade, assessedByOrgId: school.code });
      }
    }
    // Approved quotas sit a little above or below occupancy, so deficits and surpluses both show.
    for (const year of [2025, 2026]) {
      staffingQuotas.push({ orgId: school.code, year, approved: Math.max(0, onQuotaCount + Math.floor(random() * 7) - 3) });
    }
  }

  cached = { orgUnits, teachers, trainingRecords, employments, staffingQuotas, assessments };
  return cached;
}
