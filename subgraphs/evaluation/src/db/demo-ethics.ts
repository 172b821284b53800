import { seededRandom, type DemoDataset } from '../../../shared/src/demo/dataset';
import { sanctionDates, sanctionRefusal, type SanctionType, type ViolationFacts } from '../domain/ethics';

/** Evaluation's own demo data, derived deterministically from the shared demo data set. */
const EVALUATION_DEMO_SEED = 20260606;

/** 海淀区中关村第一小学 is designated high-performing from 2025, so its cap on excellent is 30%. */
export const DEMO_HIGH_PERFORMING_UNITS = [{ org_id: '1111000201', effective_from: '2025-01-01', effective_to: null, document_ref: '海教发〔2025〕3号' }];

const HONOURS = ['区级师德标兵', '市级优秀教师', '最美乡村教师', '县级师德先进个人'];
const VIOLATIONS: Record<SanctionType, string> = {
  warning: '违规有偿补课',
  demerit: '体罚学生造成不良影响',
  demotion: '收受家长礼品礼金，情节较重',
  removal: '学术不端，情节严重',
  dismissal: '严重违反师德，造成恶劣社会影响',
};
const SANCTION_MIX: SanctionType[] = ['warning', 'warning', 'warning', 'demerit', 'demerit', 'demotion'];

export interface DemoEthicsRow {
  id: string;
  teacher_id: string;
  kind: 'honour' | 'violation';
  sanction: SanctionType | null;
  summary: string;
  decided_on: string;
  period_ends_on: string | null;
  ban_ends_on: string | null;
  authority: string;
  document_ref: string;
  recorded_by_subject: string;
  recorded_by_org_id: string;
}

function seededUuid(random: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16));
  hex[12] = '4';
  hex[16] = ((parseInt(hex[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  const s = hex.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}

/**
 * About 6% of teachers get an honour and 3% a violation, decided 2021–2026. A violation that would
 * contradict a demo assessment already on file (a warning in a year graded excellent) is left out,
 * so the demo data obeys the rules the mutations enforce.
 */
export function buildDemoEthics(dataset: DemoDataset): DemoEthicsRow[] {
  const random = seededRandom(EVALUATION_DEMO_SEED);
  const gradesByTeacher = new Map<string, { year: number; grade: string }[]>();
  for (const a of dataset.assessments) {
    const list = gradesByTeacher.get(a.teacherId) ?? [];
    list.push(a);
    gradesByTeacher.set(a.teacherId, list);
  }
  const rows: DemoEthicsRow[] = [];
  for (const teacher of dataset.teachers) {
    const roll = random();
    const year = 2021 + Math.floor(random() * 6);
    const month = 1 + Math.floor(random() * (year === 2026 ? 10 : 12));
    const day = 1 + Math.floor(random() * 28);
    const decidedOn = `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
    const id = seededUuid(random);
    const countyCode = teacher.orgPath.split('/').filter(Boolean).at(-2) as string;
    const base = { id, teacher_id: teacher.id, decided_on: decidedOn, recorded_by_subject: 'demo-seed', recorded_by_org_id: countyCode };
    if (roll < 0.06) {
      rows.push({ ...base, kind: 'honour', sanction: null, summary: HONOURS[Math.floor(random() * HONOURS.length)] as string, period_ends_on: null, ban_ends_on: null, authority: `${countyCode} 教育局`, document_ref: `教师〔${year}〕${10 + Math.floor(random() * 80)}号` });
    } else if (roll < 0.09) {
      const sanction = SANCTION_MIX[Math.floor(random() * SANCTION_MIX.length)] as SanctionType;
      const dates = sanctionDates(sanction, decidedOn);
      const facts: ViolationFacts = { kind: 'violation', sanction, decidedOn, periodEndsOn: dates.periodEndsOn, banEndsOn: dates.banEndsOn };
      const contradicts = (gradesByTeacher.get(teacher.id) ?? []).some((a) => sanctionRefusal(a.grade, a.year, [facts]) !== null);
      if (contradicts) continue;
      rows.push({ ...base, kind: 'violation', sanction, summary: VIOLATIONS[sanction], period_ends_on: dates.periodEndsOn, ban_ends_on: dates.banEndsOn, authority: `${countyCode} 教育局`, document_ref: `纪处〔${year}〕${1 + Math.floor(random() * 40)}号` });
    }
  }
  return rows;
}
