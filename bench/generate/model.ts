import { residentIdCheckCharacter } from '../../subgraphs/teacher-registry/src/domain/resident-id';
import { sanctionDates, sanctionRefusal, type SanctionType, type ViolationFacts } from '../../subgraphs/evaluation/src/domain/ethics';
import { GRADES_PER_STAGE, STAGES_OF_SCHOOL, type EducationStageValue } from '../../subgraphs/staffing-quota/src/domain/codes';
import { PROVINCES, type ProvinceSpec } from './provinces';
import { seededRandom } from '../../subgraphs/shared/src/demo/dataset';
import { pick, seedPrefix, UuidSequence, weighted } from './random';
import type { RowSink } from './tables';

/**
 * The national data set: an organisation tree scaled to the number of teachers, then school by
 * school its teachers with every record each subgraph owns. Pure and deterministic: the same
 * options give the same rows in the same order, whatever database they are written to.
 *
 * All dates are computed against a fixed reference day, so a data set generated next year is the
 * same data set (statistics "as of today" then read it a year older, as real data would).
 */
export const REFERENCE_DATE = '2026-09-01';
const REFERENCE_YEAR = 2026;

export interface GenerateOptions {
  teachers: number;
  seed: number;
}

type Stage = 'kindergarten' | 'primary' | 'junior_secondary' | 'senior_secondary' | 'nine_year' | 'complete_secondary' | 'vocational';
type Locale = 'urban' | 'county_town' | 'rural';

interface Unit {
  id: string;
  parentId: string | null;
  name: string;
  level: 'national' | 'province' | 'city' | 'county' | 'school';
  path: string;
}

interface School extends Unit {
  stage: Stage;
  locale: Locale;
  isPublic: boolean;
  teachers: number;
  province: ProvinceSpec;
  countyId: string;
  highQuality: boolean;
}

interface County extends Unit {
  province: ProvinceSpec;
  schools: School[];
}

export interface OrgTree {
  units: Unit[];
  counties: County[];
  schools: number;
}

// Share of schools by type and mean teachers per school (national statistics, rounded; rural
// teaching points fold into primary schools).
const SCHOOL_TYPES: [Stage, number, number][] = [
  ['kindergarten', 0.45, 12],
  ['primary', 0.3, 32],
  ['junior_secondary', 0.09, 62],
  ['nine_year', 0.06, 48],
  ['senior_secondary', 0.035, 115],
  ['complete_secondary', 0.03, 125],
  ['vocational', 0.035, 85],
];
const MEAN_TEACHERS = SCHOOL_TYPES.reduce((s, [, share, size]) => s + share * size, 0);
const drawStage = weighted(SCHOOL_TYPES.map(([stage, share]) => [stage, share] as const));
const SIZE = new Map(SCHOOL_TYPES.map(([stage, , size]) => [stage, size]));
const STAGE_NAME: Record<Stage, string> = {
  kindergarten: '幼儿园',
  primary: '小学',
  junior_secondary: '初级中学',
  nine_year: '九年一贯制学校',
  senior_secondary: '高级中学',
  complete_secondary: '完全中学',
  vocational: '职业中等专业学校',
};
const LOCALE_NAME: Record<Locale, string> = { urban: '城区', county_town: '镇区', rural: '乡村' };

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/**
 * Provinces keep their real codes; cities (XXCC00) and counties (XXCCNN, XX90NN for those directly
 * under the province) get codes of the same shape, scaled: the full national count of counties at
 * one million teachers (about 350 teachers each), fewer below, never one with a handful of teachers.
 */
export function buildOrgTree(options: GenerateOptions): OrgTree {
  const random = seededRandom(options.seed);
  const scale = Math.min(1, options.teachers / 1_000_000);
  const population = PROVINCES.reduce((s, p) => s + p.population, 0);
  const units: Unit[] = [{ id: 'CN', parentId: null, name: '全国', level: 'national', path: '/CN/' }];
  const counties: County[] = [];
  let schoolCount = 0;
  let assigned = 0;

  PROVINCES.forEach((province, pi) => {
    const prov2 = province.code.slice(0, 2);
    const provPath = `/CN/${province.code}/`;
    units.push({ id: province.code, parentId: 'CN', name: province.name, level: 'province', path: provPath });
    // Teachers follow population; the last province takes the rounding remainder.
    const provTeachers = pi === PROVINCES.length - 1 ? options.teachers - assigned : Math.round((options.teachers * province.population) / population);
    assigned += provTeachers;
    const realCounties = province.counties + province.direct;
    const countyTotal = Math.max(1, Math.min(Math.round(realCounties * scale), Math.floor(provTeachers / 60)));
    const direct = Math.min(province.direct, Math.round(province.direct * scale), Math.max(0, countyTotal - 1));
    const underCities = countyTotal - direct;
    const cityCount = Math.max(1, Math.min(province.cities, underCities, Math.round(province.cities * Math.min(1, options.teachers / 300_000))));

    const countyUnits: County[] = [];
    const cities: Unit[] = [];
    for (let c = 1; c <= cityCount; c += 1) {
      const id = `${prov2}${pad(c)}00`;
      const name = province.municipality ? (c === 1 ? '市辖区' : '县') : `${province.short}第${c}市`;
      const city: Unit = { id, parentId: province.code, name, level: 'city', path: `${provPath}${id}/` };
      cities.push(city);
      units.push(city);
    }
    for (let k = 0; k < underCities; k += 1) {
      const city = cities[k % cityCount] as Unit;
      const serial = Math.floor(k / cityCount) + 1;
      const id = `${city.id.slice(0, 4)}${pad(serial)}`;
      const kind = province.municipality || serial <= 2 ? '区' : '县';
      countyUnits.push({ id, parentId: city.id, name: `${city.name}第${serial}${kind}`, level: 'county', path: `${city.path}${id}/`, province, schools: [] });
    }
    for (let d = 1; d <= direct; d += 1) {
      const id = `${prov2}90${pad(d)}`;
      countyUnits.push({ id, parentId: province.code, name: `${province.short}直辖第${d}市`, level: 'county', path: `${provPath}${id}/`, province, schools: [] });
    }

    // Schools: each county gets its share of the province's teachers (±30%), spent school by school.
    let left = provTeachers;
    let schoolSerial = 0;
    countyUnits.forEach((county, ci) => {
      units.push(county);
      counties.push(county);
      const remainingCounties = countyUnits.length - ci;
      let budget = ci === countyUnits.length - 1 ? left : Math.min(left, Math.round((left / remainingCounties) * (0.7 + random() * 0.6)));
      left -= budget;
      while (budget > 0) {
        const stage = drawStage(random);
        const mean = SIZE.get(stage) as number;
        let size = Math.max(3, Math.round(mean * (0.6 + random() * 0.8)));
        if (budget - size < 3) size = budget;
        budget -= size;
        schoolSerial += 1;
        schoolCount += 1;
        const locale: Locale = weighted<Locale>(
          stage === 'kindergarten' ? [['urban', 0.45], ['county_town', 0.35], ['rural', 0.2]] : stage === 'senior_secondary' || stage === 'complete_secondary' || stage === 'vocational' ? [['urban', 0.45], ['county_town', 0.5], ['rural', 0.05]] : [['urban', 0.3], ['county_town', 0.32], ['rural', 0.38]],
        )(random);
        const isPublic = stage === 'kindergarten' ? random() < 0.5 : random() < 0.9;
        // School code [学校标识码]: 1, the province's two digits, a seven-digit serial.
        const id = `1${prov2}${pad(schoolSerial, 7)}`;
        const school: School = {
          id,
          parentId: county.id,
          name: `${county.name}${LOCALE_NAME[locale]}第${county.schools.length + 1}${STAGE_NAME[stage]}`,
          level: 'school',
          path: `${county.path}${id}/`,
          stage,
          locale,
          isPublic,
          teachers: size,
          province,
          countyId: county.id,
          highQuality: isPublic && locale === 'urban' && random() < 0.15,
        };
        county.schools.push(school);
        units.push(school);
      }
    });
  });
  return { units, counties, schools: schoolCount };
}

const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '黄', '赵', '吴', '周', '徐', '孙', '马', '朱', '胡', '郭', '何', '高', '林', '罗', '郑', '梁', '谢', '宋', '唐', '许', '韩', '冯', '邓', '曹', '彭', '曾', '肖', '田', '董', '袁', '潘', '于', '蒋', '蔡', '余', '杜', '叶', '程', '苏', '魏', '吕', '丁', '任', '沈'];
const GIVEN_FEMALE = ['芳', '娜', '敏', '静', '丽', '艳', '娟', '霞', '婷', '雪', '慧', '琳', '晶', '颖', '洁', '玲', '欣', '雯', '佳', '怡', '倩', '璐', '萍', '红', '燕'];
const GIVEN_MALE = ['伟', '强', '磊', '军', '勇', '杰', '涛', '斌', '超', '明', '刚', '平', '辉', '鹏', '华', '飞', '鑫', '波', '宇', '浩', '峰', '林', '东', '亮', '凯'];
const GIVEN_SECOND = ['', '', '', '文', '晓', '海', '建', '志', '春', '秀', '国', '玉', '子', '思', '雨', '嘉', '梓', '俊', '立', '新'];
const UNIVERSITIES = ['北京师范大学', '华东师范大学', '华中师范大学', '东北师范大学', '陕西师范大学', '西南大学', '南京师范大学', '湖南师范大学', '华南师范大学', '首都师范大学', '西北师范大学', '山东师范大学', '河南大学', '四川师范大学', '省属师范学院', '市属师范专科学校'];
const MAJOR_BY_SUBJECT: Record<string, string> = {
  语文: '汉语言文学', 数学: '数学与应用数学', 英语: '英语', 物理: '物理学', 化学: '化学', 生物: '生物科学', 历史: '历史学', 地理: '地理科学',
  道德与法治: '思想政治教育', 思想政治: '思想政治教育', 音乐: '音乐学', 体育: '体育教育', 美术: '美术学', 信息技术: '计算机科学与技术', 科学: '科学教育',
  学前教育: '学前教育', 专业课: '机械设计制造及其自动化', 心理健康: '心理学',
};
const SUBJECTS_PRIMARY = weighted<string>([['语文', 30], ['数学', 24], ['英语', 9], ['道德与法治', 5], ['科学', 6], ['音乐', 6], ['体育', 7], ['美术', 6], ['信息技术', 3], ['心理健康', 1]]);
const SUBJECTS_JUNIOR = weighted<string>([['语文', 14], ['数学', 14], ['英语', 13], ['物理', 7], ['化学', 5], ['生物', 5], ['历史', 6], ['地理', 5], ['道德与法治', 6], ['体育', 7], ['音乐', 3], ['美术', 3], ['信息技术', 3]]);
const SUBJECTS_SENIOR = weighted<string>([['语文', 13], ['数学', 13], ['英语', 12], ['物理', 9], ['化学', 8], ['生物', 7], ['历史', 6], ['地理', 6], ['思想政治', 6], ['体育', 6], ['音乐', 2], ['美术', 2], ['信息技术', 4], ['心理健康', 1]]);
const SUBJECTS_VOCATIONAL = weighted<string>([['专业课', 45], ['语文', 10], ['数学', 10], ['英语', 9], ['思想政治', 6], ['体育', 6], ['信息技术', 9], ['心理健康', 2], ['美术', 3]]);
const AGE = weighted<[number, number]>([[[22, 29], 0.2], [[30, 39], 0.3], [[40, 49], 0.28], [[50, 59], 0.22]]);
const EDUCATION: Record<string, (r: () => number) => string> = {
  kindergarten: weighted([['31', 45], ['21', 48], ['14', 2], ['41', 5]]),
  primary: weighted([['21', 70], ['31', 22], ['14', 8]]),
  vocational: weighted([['21', 70], ['14', 20], ['31', 10]]),
  secondary: weighted([['21', 80], ['14', 17], ['31', 3]]),
};
const TITLE_BY_AGE: [number, (r: () => number) => string][] = [
  [26, weighted([['third', 45], ['none', 40], ['second', 15]])],
  [33, weighted([['second', 60], ['third', 17], ['first', 15], ['none', 8]])],
  [43, weighted([['first', 55], ['second', 28], ['senior', 13], ['none', 4]])],
  [200, weighted([['first', 48], ['senior', 36], ['second', 12], ['senior_professor', 1], ['none', 3]])],
];
const STAFF_CATEGORY = weighted([['1', 88], ['2', 6], ['3', 4], ['4', 2]]);
const POLITICAL = weighted([['01', 40], ['03', 15], ['13', 43], ['12', 2]]);
const STATUS = weighted([['active', 97.5], ['transferred_out', 1], ['left', 1], ['retired', 0.5]]);
const FEMALE_SHARE: Record<Stage, number> = { kindergarten: 0.97, primary: 0.72, junior_secondary: 0.58, nine_year: 0.65, senior_secondary: 0.55, complete_secondary: 0.56, vocational: 0.5 };
const QUALIFICATION_KIND: Record<Stage, string> = { kindergarten: '1', primary: '2', junior_secondary: '3', nine_year: '3', senior_secondary: '4', complete_secondary: '4', vocational: '5' };
// Minorities by province (GB/T 3304 code, share of teachers), the rest 汉族 (01).
const MINORITY: Record<string, [string, number]> = {
  '540000': ['04', 0.8], '650000': ['05', 0.4], '450000': ['08', 0.3], '640000': ['03', 0.3], '150000': ['02', 0.15], '520000': ['06', 0.15],
  '530000': ['07', 0.12], '430000': ['15', 0.08], '420000': ['15', 0.05], '220000': ['10', 0.05], '210000': ['11', 0.12], '630000': ['04', 0.2], '460000': ['19', 0.15],
};

type TrainingForm = 'centralised' | 'online' | 'school_based' | 'teaching_research' | 'practice';
const TRAINING: [TrainingForm, string[], number[]][] = [
  ['centralised', ['国培计划——骨干教师能力提升', '省级新课标专题培训', '班主任工作能力研修', '市级学科带头人研修'], [24, 32, 40, 60]],
  ['online', ['信息技术应用能力提升工程2.0', '师德师风网络专题学习', '心理健康教育网络课程', '国家智慧教育平台研修'], [10, 20, 30, 50]],
  ['school_based', ['校本研修：大单元教学设计', '校本研修：作业设计与评价', '校本研修：课堂观察'], [8, 12, 16, 20]],
  ['teaching_research', ['县级教研活动：课堂观察与评课', '区级联片教研', '市级教学视导'], [4, 6, 8]],
  ['practice', ['跟岗实践：城区优质学校', '名师工作室实践研修'], [20, 30, 40]],
];
const TRAINING_FORM = weighted<number>([[0, 20], [1, 35], [2, 25], [3, 12], [4, 8]]);
// The national default conversion rules the training migration inserts (1 hour = 1 credit).
const NATIONAL_RULE_ID: Record<TrainingForm, string> = {
  centralised: 'a0000000-0000-4000-8000-000000000100',
  online: 'a0000000-0000-4000-8000-000000000101',
  school_based: 'a0000000-0000-4000-8000-000000000102',
  teaching_research: 'a0000000-0000-4000-8000-000000000103',
  practice: 'a0000000-0000-4000-8000-000000000104',
};
const ASSESSMENT = weighted([['excellent', 16], ['pass', 80], ['basic_pass', 2.5], ['fail', 1.5]]);
const HONOURS = ['县级师德标兵', '市级优秀教师', '最美乡村教师', '县级师德先进个人', '省级优秀班主任'];
const VIOLATIONS: Record<SanctionType, string> = {
  warning: '违规有偿补课',
  demerit: '体罚学生造成不良影响',
  demotion: '收受家长礼品礼金，情节较重',
  removal: '学术不端，情节严重',
  dismissal: '严重违反师德，造成恶劣社会影响',
};
const SANCTION = weighted<SanctionType>([['warning', 60], ['demerit', 28], ['demotion', 10], ['removal', 2]]);
const AWARDS: [string, string][] = [['优秀教师', 'county'], ['优秀班主任', 'city'], ['教学能手', 'county'], ['骨干教师', 'city'], ['优秀教育工作者', 'provincial'], ['全国模范教师', 'national']];
// Post grade [岗位等级] of the professional-technical track by title: 正高 1–4, 副高 5–7, 中级 8–10, 初级 11–13.
const POST_GRADE: Record<string, [number, number]> = { senior_professor: [2, 4], senior: [5, 7], first: [8, 10], second: [11, 12], third: [13, 13], none: [13, 13] };
// Pay: the 2006 reform's scale of public institutions in outline (post pay by grade 1–13, step pay
// rising with the salary step), allowances and performance pay 60–110 % of it, more in the countryside
// (乡村教师生活补助). Plausible monthly totals of about 3,000–15,000 yuan; not an official table.
const PAY_SHARE = 0.92;
const PAY_EFFECTIVE_FROM = '2025-07-01';
const POST_PAY = [6665, 5155, 4550, 3925, 3372, 3037, 2747, 2466, 2233, 2022, 1926, 1780, 1690];
function payOf(random: () => number, t: { title: string; staffCategory: string; yearsOfService: number; locale: string }) {
  const [lo, hi] = t.staffCategory === '2' ? [7, 10] : t.staffCategory === '4' ? [11, 13] : (POST_GRADE[t.title] as [number, number]);
  const postGrade = lo + Math.floor(random() * (hi - lo + 1));
  const salaryStep = Math.max(1, Math.min(65, 1 + Math.round(t.yearsOfService * 1.1) + Math.floor(random() * 4)));
  const basic = (POST_PAY[postGrade - 1] as number) + 295 + Math.round((salaryStep - 1) * (48 + salaryStep * 1.2));
  const allowances = Math.round(basic * (0.6 + random() * 0.5)) + (t.locale === 'rural' ? 200 + 100 * Math.floor(random() * 5) : 0);
  return { postGrade, salaryStep, basic, allowances };
}
const CLASS_SIZE: Record<EducationStageValue, number> = { kindergarten: 30, primary: 42, junior_secondary: 48, senior_secondary: 50, vocational: 45 };
const RATIO: Record<EducationStageValue, number> = { kindergarten: 7, primary: 19, junior_secondary: 13.5, senior_secondary: 12.5, vocational: 20 };

const isoDate = (year: number, month: number, day: number) => `${year}-${pad(month)}-${pad(day)}`;
const plusYears = (date: string, years: number) => `${Number(date.slice(0, 4)) + years}${date.slice(4)}`;
const PROVENANCE = ['generator', 'generator', 'school_info_admin', true] as const;
const TEACHER_PROVENANCE = JSON.stringify({ '*': { enteredBy: 'generator', role: 'school_info_admin', source: 'generator', verified: true, authority: 'generator' } });

export interface GenerateSummary {
  teachers: number;
  schools: number;
  counties: number;
  units: number;
}

/**
 * Writes the whole data set into `sink`: reference rows, the organisation tree and its
 * projections, then county by county each school and its teachers with their records in all four
 * subgraphs, then the county's exchange-rotation plan.
 */
export async function generateDataset(options: GenerateOptions, sink: RowSink): Promise<GenerateSummary> {
  const tree = buildOrgTree(options);
  const random = seededRandom(options.seed ^ 0x5eed1234);
  const prefix = seedPrefix(options.seed);
  const ids = {
    teacher: new UuidSequence(prefix, '0001'),
    subRecord: new UuidSequence(prefix, '0002'),
    training: new UuidSequence(prefix, '0003'),
    ledger: new UuidSequence(prefix, '0004'),
    employment: new UuidSequence(prefix, '0005'),
    post: new UuidSequence(prefix, '0006'),
    assessment: new UuidSequence(prefix, '0007'),
    registration: new UuidSequence(prefix, '0008'),
    ethics: new UuidSequence(prefix, '0009'),
    rotation: new UuidSequence(prefix, '000a'),
    pay: new UuidSequence(prefix, '000b'),
  };
  // Pay draws from its own stream, so adding it left every other generated row as it was.
  const payRandom = seededRandom(options.seed ^ 0x9a7b0d5e);

  // Reference data: the two training cycles, per-province boarding extras and rotation parameters.
  sink.row('training.training_cycle', ['2019-2023', '2019-01-01', '2023-12-31', 360]);
  sink.row('training.training_cycle', ['2024-2028', '2024-01-01', '2028-12-31', 360]);
  const GENERATED = 'generated value (生成数据), not a published provincial figure';
  for (const p of PROVINCES) {
    sink.row('staffing-quota.staffing_extra_rule', [p.code, 'boarding', 40 + Math.floor(random() * 11), '2015-01-01', GENERATED]);
    sink.row('staffing-quota.rotation_parameter', [p.code, 6, 55, 50, 0.1, 0.2, '2015-01-01', GENERATED]);
  }

  for (const unit of tree.units) {
    const school = unit.level === 'school' ? (unit as School) : null;
    sink.row('teacher-registry.org_unit', [unit.id, unit.parentId, unit.name, unit.level, unit.path, school?.stage ?? null, school?.locale ?? null, school ? school.isPublic : null]);
    sink.row('training.org_scope', [unit.id, unit.path]);
    sink.row('staffing-quota.org_scope', [unit.id, unit.path]);
    if (school) {
      sink.row('staffing-quota.school_profile', [school.id, school.stage, school.locale, school.isPublic]);
      if (school.highQuality) sink.row('staffing-quota.school_designation', [school.id, 'high_quality', '2018-09-01']);
      else if (school.isPublic && school.locale === 'rural' && random() < 0.12) sink.row('staffing-quota.school_designation', [school.id, 'weak', '2018-09-01']);
    }
  }
  await sink.drain();

  const residentSerials = new Map<string, number>();
  let teacherSerial = 0;
  for (const county of tree.counties) {
    const rotationCandidates: { id: string; school: School; key: boolean }[] = [];
    for (const school of county.schools) {
      const prov2 = school.province.code.slice(0, 2);
      const minority = MINORITY[school.province.code];
      const appointedByGrade = new Map<number, number>();
      let onQuotaCount = 0;
      for (let i = 0; i < school.teachers; i += 1) {
        teacherSerial += 1;
        const id = ids.teacher.next();
        const female = random() < FEMALE_SHARE[school.stage];
        const gender: 1 | 2 = female ? 2 : 1;
        const [lo, hi] = AGE(random);
        let age = lo + Math.floor(random() * (hi - lo + 1));
        if (female && age >= 55) age = 50 + Math.floor(random() * 5); // women retire at 55
        const birthYear = REFERENCE_YEAR - age - (random() < 0.67 ? 1 : 0);
        const birthDate = isoDate(birthYear, 1 + Math.floor(random() * 12), 1 + Math.floor(random() * 28));
        const startedYear = Math.min(REFERENCE_YEAR - 1, birthYear + 22 + Math.floor(random() * 3));
        const startedWorkOn = isoDate(startedYear, 9, 1);
        const joinedYear = Math.min(REFERENCE_YEAR - 1, startedYear + (random() < 0.35 ? 1 + Math.floor(random() * Math.max(1, REFERENCE_YEAR - startedYear - 1)) : 0));
        const joinedSchoolOn = isoDate(joinedYear, 9, 1);
        const stageKey = school.stage === 'kindergarten' || school.stage === 'primary' || school.stage === 'vocational' ? school.stage : 'secondary';
        const education = (EDUCATION[stageKey] as (r: () => number) => string)(random);
        const title = school.stage === 'kindergarten' && random() < 0.3 ? 'none' : (TITLE_BY_AGE.find(([upTo]) => age < upTo) as [number, (r: () => number) => string])[1](random);
        const subject =
          school.stage === 'kindergarten' ? '学前教育' : school.stage === 'primary' ? SUBJECTS_PRIMARY(random) : school.stage === 'vocational' ? SUBJECTS_VOCATIONAL(random) : school.stage === 'senior_secondary' ? SUBJECTS_SENIOR(random) : SUBJECTS_JUNIOR(random);
        const staffCategory = STAFF_CATEGORY(random);
        const onQuota = school.isPublic && random() < 0.88;
        const status = age >= 54 || staffCategory !== '1' ? STATUS(random) : random() < 0.98 ? 'active' : 'left';
        const active = status === 'active';
        if (onQuota && active) onQuotaCount += 1;
        // GB 11643: the county as address code, the birth date, a sequence unique per county, day and sex.
        const serialKey = `${county.id}${birthDate}${gender}`;
        const serial = (residentSerials.get(serialKey) ?? 0) + 1;
        residentSerials.set(serialKey, serial);
        const sequence = (serial - 1) * 2 + (gender === 1 ? 1 : 2);
        if (sequence > 999) throw new Error(`more than 499 teachers of one sex born on ${birthDate} in county ${county.id}`);
        const first17 = `${county.id}${birthDate.replace(/-/g, '')}${pad(sequence, 3)}`;
        const residentId = first17 + residentIdCheckCharacter(first17);
        const name = pick(random, SURNAMES) + pick(random, GIVEN_SECOND) + pick(random, female ? GIVEN_FEMALE : GIVEN_MALE);
        const ethnicity = minority && random() < minority[1] ? minority[0] : random() < 0.02 ? pick(random, ['03', '11', '15', '06']) : '01';

        sink.row('teacher-registry.teacher', [
          id, `${prov2}${startedYear}${pad(teacherSerial, 10)}`, name, gender, birthDate, school.id, school.path, '1', residentId,
          county.id, ethnicity, POLITICAL(random), education, staffCategory, onQuota, onQuota ? '1' : pick(random, ['2', '4', '5']),
          startedWorkOn, joinedSchoolOn, subject, title, status, 'approved', TEACHER_PROVENANCE,
        ]);

        // Pay [基本待遇] for about 92 % of teachers (the rest not yet entered), in force since July 2025.
        if (payRandom() < PAY_SHARE) {
          const pay = payOf(payRandom, { title, staffCategory, yearsOfService: REFERENCE_YEAR - startedYear, locale: school.locale });
          sink.row('teacher-registry.teacher_pay', [ids.pay.next(), id, 'generator', 'school_info_admin', true, pay.postGrade, pay.salaryStep, pay.basic, pay.allowances, PAY_EFFECTIVE_FROM]);
        }

        // Registry sub-records.
        const graduatedOn = `${startedYear}-06-30`;
        const university = pick(random, UNIVERSITIES);
        const major = MAJOR_BY_SUBJECT[subject] ?? '教育学';
        if (education === '14') {
          sink.row('teacher-registry.teacher_education', [ids.subRecord.next(), id, ...PROVENANCE, plusYears(graduatedOn, -7).replace('06-30', '09-01'), plusYears(graduatedOn, -3), university, major, '21', '学士', false]);
          sink.row('teacher-registry.teacher_education', [ids.subRecord.next(), id, ...PROVENANCE, plusYears(graduatedOn, -3).replace('06-30', '09-01'), graduatedOn, pick(random, UNIVERSITIES), `${major}（教育硕士）`, '14', '硕士', true]);
        } else {
          sink.row('teacher-registry.teacher_education', [ids.subRecord.next(), id, ...PROVENANCE, plusYears(graduatedOn, education === '21' ? -4 : -3).replace('06-30', '09-01'), graduatedOn, university, major, education, education === '21' ? '学士' : null, true]);
        }
        if (joinedYear > startedYear) {
          sink.row('teacher-registry.teacher_work_history', [ids.subRecord.next(), id, ...PROVENANCE, startedWorkOn, isoDate(joinedYear, 7, 31), `${county.name}第${1 + Math.floor(random() * 9)}学校`, null, '教师']);
        }
        sink.row('teacher-registry.teacher_work_history', [ids.subRecord.next(), id, ...PROVENANCE, joinedSchoolOn, null, school.name, school.id, staffCategory === '2' ? '管理岗' : '教师']);
        if (title !== 'none') {
          const appointedYear = Math.min(REFERENCE_YEAR - 1, startedYear + (title === 'third' ? 1 : title === 'second' ? 3 : title === 'first' ? 8 : 15) + Math.floor(random() * 3));
          sink.row('teacher-registry.teacher_title_appointment', [ids.subRecord.next(), id, ...PROVENANCE, title, isoDate(appointedYear, 12, 1), school.name, `${school.province.short}职改〔${appointedYear}〕${1 + Math.floor(random() * 60)}号`]);
        }
        sink.row('teacher-registry.teacher_qualification', [ids.subRecord.next(), id, ...PROVENANCE, QUALIFICATION_KIND[school.stage], subject, `${startedYear}${county.id}${pad(teacherSerial % 10_000_000, 7)}`, `${startedYear}-07-15`, `${county.name}教育局`]);
        sink.row('teacher-registry.teacher_contact', [ids.subRecord.next(), id, ...PROVENANCE, `1${pick(random, ['3', '5', '7', '8', '9'])}${pad(Math.floor(random() * 1e9), 9)}`, startedWorkOn]);
        if (random() < 0.3) {
          sink.row('teacher-registry.teacher_skill_certificate', [ids.subRecord.next(), id, ...PROVENANCE, pick(random, ['普通话水平测试等级证书', '心理健康教育C证', '计算机等级证书']), pick(random, ['一级乙等', '二级甲等', '二级']), plusYears(startedWorkOn, 1), '省教育厅']);
        }
        if (random() < 0.08) {
          const [awardName, level] = pick(random, AWARDS);
          const year = Math.min(REFERENCE_YEAR - 1, startedYear + 3 + Math.floor(random() * 10));
          sink.row('teacher-registry.teacher_award', [ids.subRecord.next(), id, ...PROVENANCE, awardName, level, `${county.name}教育局`, isoDate(year, 9, 10), `教发〔${year}〕${1 + Math.floor(random() * 40)}号`]);
        }

        // Training: records of the current cycle (2024–2028) and a few of the last, each banked once.
        // Every consumer's teacher_scope carries the registry's status, as teacher.status-changed keeps it.
        sink.row('training.teacher_scope', [id, school.path, status]);
        const records = 1 + Math.floor(random() * 6);
        for (let r = 0; r < records; r += 1) {
          const [form, titles, hours] = TRAINING[TRAINING_FORM(random)] as (typeof TRAINING)[number];
          const year = random() < 0.8 ? 2024 + Math.floor(random() * 3) : 2021 + Math.floor(random() * 3);
          const completedOn = isoDate(year, 1 + Math.floor(random() * (year === REFERENCE_YEAR ? 8 : 12)), 1 + Math.floor(random() * 28));
          const recordId = ids.training.next();
          const h = pick(random, hours);
          const trainingTitle = pick(random, titles);
          sink.row('training.training_record', [recordId, id, trainingTitle, form, h, completedOn, null]);
          sink.row('training.credit_ledger_entry', [ids.ledger.next(), id, 'deposit', 'training', school.province.code, form, h, h, completedOn, trainingTitle, recordId, NATIONAL_RULE_ID[form], 'generator']);
        }

        // Staffing: projections, employment, post appointment for staff on the quota.
        sink.row('staffing-quota.teacher_scope', [id, school.path, status]);
        const keyTeacher = age >= 30 && random() < 0.15;
        sink.row('staffing-quota.teacher_profile', [id, birthDate, gender, keyTeacher]);
        sink.row('staffing-quota.employment', [ids.employment.next(), id, school.id, onQuota, joinedSchoolOn, active ? null : '2026-06-30', onQuota ? 'employment_contract' : 'labour_contract']);
        if (onQuota && active) {
          const [category, grade] =
            staffCategory === '2' ? ['management', 7 + Math.floor(random() * 4)] : staffCategory === '4' ? ['skilled_support', 1 + Math.floor(random() * 5)] : (() => {
              const [gLo, gHi] = POST_GRADE[title] as [number, number];
              return ['professional_technical', gLo + Math.floor(random() * (gHi - gLo + 1))];
            })();
          const startsOn = joinedSchoolOn > '2019-09-01' ? joinedSchoolOn : '2019-09-01';
          sink.row('staffing-quota.post_appointment', [ids.post.next(), id, school.id, category, grade, startsOn]);
          if (category === 'professional_technical') appointedByGrade.set(grade as number, (appointedByGrade.get(grade as number) ?? 0) + 1);
          if (age < 55 && REFERENCE_YEAR - joinedYear >= 6) rotationCandidates.push({ id, school, key: keyTeacher });
        }

        // Evaluation: projection, annual assessments, the registration cycle, ethics entries.
        sink.row('evaluation.teacher_scope', [id, school.path, status]);
        const grades: { year: number; grade: string }[] = [];
        for (let year = Math.max(2021, startedYear + 1); year <= 2025; year += 1) {
          const grade = ASSESSMENT(random);
          grades.push({ year, grade });
          sink.row('evaluation.annual_assessment', [ids.assessment.next(), id, year, grade, school.id]);
        }
        sink.row('evaluation.qualification_registration', [ids.registration.next(), id, '2024-01-01', '2028-12-31']);
        const roll = random();
        if (roll < 0.05) {
          const year = 2021 + Math.floor(random() * 5);
          sink.row('evaluation.ethics_entry', [ids.ethics.next(), id, 'honour', null, pick(random, HONOURS), isoDate(year, 1 + Math.floor(random() * 12), 1 + Math.floor(random() * 28)), null, null, `${county.name}教育局`, `教师〔${year}〕${10 + Math.floor(random() * 80)}号`, 'generator', county.id]);
        } else if (roll < 0.065) {
          const year = 2021 + Math.floor(random() * 5);
          const decidedOn = isoDate(year, 1 + Math.floor(random() * 12), 1 + Math.floor(random() * 28));
          const sanction = SANCTION(random);
          const dates = sanctionDates(sanction, decidedOn);
          const facts: ViolationFacts = { kind: 'violation', sanction, decidedOn, periodEndsOn: dates.periodEndsOn, banEndsOn: dates.banEndsOn };
          // Leave out a violation the assessments on file contradict, as the mutations would refuse it.
          if (!grades.some((g) => sanctionRefusal(g.grade, g.year, [facts]) !== null)) {
            sink.row('evaluation.ethics_entry', [ids.ethics.next(), id, 'violation', sanction, VIOLATIONS[sanction], decidedOn, dates.periodEndsOn, dates.banEndsOn, `${county.name}教育局`, `纪处〔${year}〕${1 + Math.floor(random() * 40)}号`, 'generator', county.id]);
          }
        }
      }

      // The school's own figures: approved quota, enrolment, post plan.
      for (const year of [2025, 2026]) sink.row('staffing-quota.staffing_quota', [school.id, year, Math.max(0, onQuotaCount + Math.floor(random() * 9) - 5)]);
      const stages = STAGES_OF_SCHOOL[school.stage] ?? [];
      const totalGrades = stages.reduce((n, s) => n + GRADES_PER_STAGE[s], 0);
      const meanRatio = stages.reduce((n, s) => n + RATIO[s] * GRADES_PER_STAGE[s], 0) / Math.max(1, totalGrades);
      const perGrade = (school.teachers * meanRatio * (0.85 + random() * 0.35)) / Math.max(1, totalGrades);
      const boardingShare = school.locale === 'rural' && school.stage !== 'kindergarten' ? 0.45 : 0;
      for (const year of [2025, 2026]) {
        for (const stage of stages) {
          for (let grade = 1; grade <= GRADES_PER_STAGE[stage]; grade += 1) {
            const students = Math.max(1, Math.round(perGrade * (0.9 + random() * 0.2)));
            sink.row('staffing-quota.enrolment', [school.id, year, stage, grade, students, Math.max(1, Math.ceil(students / CLASS_SIZE[stage])), Math.round(students * boardingShare)]);
          }
        }
        sink.row('staffing-quota.enrolment_version', [school.id, year]);
        if (school.isPublic) {
          for (let grade = 4; grade <= 13; grade += 1) sink.row('staffing-quota.post_plan', [school.id, year, 'professional_technical', grade, (appointedByGrade.get(grade) ?? 0) + Math.floor(random() * 3)]);
        }
      }
      await sink.drain();
    }

    // Exchange rotation [交流轮岗] of the county: about one in ten eligible teachers, to another school.
    if (county.schools.length > 1 && rotationCandidates.length > 0) {
      const planId = ids.rotation.next();
      sink.row('staffing-quota.rotation_plan', [planId, county.id, REFERENCE_YEAR, 'submitted']);
      for (const c of rotationCandidates) {
        if (random() >= 0.1) continue;
        const others = county.schools.filter((s) => s.id !== c.school.id);
        const host = pick(random, others);
        const assignmentId = ids.rotation.next();
        sink.row('staffing-quota.rotation_assignment', [assignmentId, planId, c.id, c.school.id, host.id, 'exchange', `${REFERENCE_YEAR}-09-01`, `${REFERENCE_YEAR + 1}-07-31`, 'planned', c.key, c.school.locale === 'urban' || c.school.highQuality]);
        sink.row('evaluation.rotation_projection', [assignmentId, c.id, c.school.id, host.id, 'exchange', `${REFERENCE_YEAR}-09-01`, `${REFERENCE_YEAR + 1}-07-31`]);
      }
    }
  }
  await sink.drain();
  return { teachers: teacherSerial, schools: tree.schools, counties: tree.counties.length, units: tree.units.length };
}

export { MEAN_TEACHERS };
