import { bansOn, type ViolationFacts } from './ethics';

/**
 * Title review conditions [职称评审条件] computed from the shared records: the registry's education,
 * current title and its appointment date; staffing-quota's rural or weak-school service; training's
 * cycle completion; this subgraph's assessments and ethics bans. Minimums are data (title_requirement).
 */
export type TitleCode = 'senior_professor' | 'senior' | 'first' | 'second' | 'third';
export const TITLE_WORDS: Record<string, string> = {
  senior_professor: '正高级教师 (senior professor)',
  senior: '高级教师 (senior)',
  first: '一级教师 (first grade)',
  second: '二级教师 (second grade)',
  third: '三级教师 (third grade)',
  none: 'no title',
};

/**
 * Professional-technical post grades a title is appointed into (DOMAIN.md §5): 正高 1–4, 副高 5–7,
 * 中级 8–10, 初级 11–13. 三级 has no review, so it has no entry.
 */
export const TITLE_POST_GRADES: Record<string, { from: number; to: number; words: string }> = {
  senior_professor: { from: 1, to: 4, words: '正高 (senior professional)' },
  senior: { from: 5, to: 7, words: '副高 (deputy senior)' },
  first: { from: 8, to: 10, words: '中级 (intermediate)' },
  second: { from: 11, to: 13, words: '初级 (junior)' },
};

/** One post slot of the teacher's school today, from staffing-quota (`OrgUnit.freePostSlots`). */
export interface PostSlotFact {
  category: string;
  grade: number;
  ceiling: number;
  occupied: number;
  free: number;
}

export interface TitleRequirement {
  targetTitle: string;
  prerequisiteTitle: string;
  minYears: number;
  minYearsWithDoctorate: number | null;
  maxEducationCode: string | null;
  urbanRuralServiceYears: number;
  source: string;
}

export interface TitleFacts {
  educationCode: string | null;
  currentTitle: string | null;
  titleAppointments: readonly { title: string; appointedOn: string; endsOn: string | null }[];
  schoolLocale: string | null;
  ruralOrWeakServiceYears: number | null;
  trainingComplete: boolean | null;
  /** The school's post slots today; null when staffing-quota did not answer them for this viewer. */
  postSlots?: readonly PostSlotFact[] | null;
  assessments: readonly { year: number; grade: string }[];
  ethics: readonly ViolationFacts[];
  today: string;
}

export interface TitleCondition {
  key: 'current_title' | 'years_in_title' | 'education' | 'rural_service' | 'assessments' | 'training' | 'ethics' | 'post_slot';
  /** null: not checked here (see detail). */
  met: boolean | null;
  detail: string;
}

/** GB/T 4658 codes 11–13 are doctoral studies [博士研究生]. */
const isDoctorate = (code: string | null) => code !== null && code >= '11' && code <= '13';
/** Whole months elapsed, as years with one decimal, rounded down: an anniversary counts as a full year. */
const yearsBetween = (from: string, to: string) => {
  const [fy, fm, fd] = from.split('-').map(Number) as [number, number, number];
  const [ty, tm, td] = to.split('-').map(Number) as [number, number, number];
  const months = (ty - fy) * 12 + (tm - fm) - (td < fd ? 1 : 0);
  return Math.floor((months / 12) * 10) / 10;
};

export function titleConditions(requirement: TitleRequirement, facts: TitleFacts): { conditions: TitleCondition[]; yearsInCurrentTitle: number | null } {
  const conditions: TitleCondition[] = [];
  const prerequisite = requirement.prerequisiteTitle;
  const holds = facts.currentTitle === prerequisite;
  conditions.push({
    key: 'current_title',
    met: holds,
    detail: holds
      ? `You hold ${TITLE_WORDS[prerequisite]}, the title below ${TITLE_WORDS[requirement.targetTitle]}.`
      : `${TITLE_WORDS[requirement.targetTitle]} needs ${TITLE_WORDS[prerequisite]} first; the archive shows ${TITLE_WORDS[facts.currentTitle ?? 'none'] ?? facts.currentTitle}.`,
  });

  const appointment = [...facts.titleAppointments]
    .filter((a) => a.title === prerequisite && (a.endsOn === null || a.endsOn >= facts.today))
    .sort((a, b) => a.appointedOn.localeCompare(b.appointedOn))[0];
  const years = appointment ? yearsBetween(appointment.appointedOn, facts.today) : null;
  const needed = isDoctorate(facts.educationCode) && requirement.minYearsWithDoctorate !== null ? requirement.minYearsWithDoctorate : requirement.minYears;
  conditions.push({
    key: 'years_in_title',
    met: years !== null && years >= needed,
    detail:
      years === null
        ? `No appointment as ${TITLE_WORDS[prerequisite]} is on record, so the ${needed} years cannot be counted.`
        : `${years} years as ${TITLE_WORDS[prerequisite]} since ${appointment!.appointedOn}; ${needed} are required${isDoctorate(facts.educationCode) && requirement.minYearsWithDoctorate !== null ? ' with a doctorate' : ''}.`,
  });

  if (requirement.maxEducationCode !== null) {
    const ok = facts.educationCode !== null && facts.educationCode <= requirement.maxEducationCode;
    conditions.push({
      key: 'education',
      met: ok,
      detail: facts.educationCode === null ? 'No education level is on record.' : `Education level ${facts.educationCode} (GB/T 4658); ${requirement.maxEducationCode} or higher education is required.`,
    });
  }

  if (requirement.urbanRuralServiceYears > 0) {
    const urban = facts.schoolLocale === 'URBAN' || facts.schoolLocale === 'COUNTY_TOWN';
    const served = facts.ruralOrWeakServiceYears ?? 0;
    conditions.push({
      key: 'rural_service',
      met: !urban || served >= requirement.urbanRuralServiceYears,
      detail: urban
        ? `Teachers of urban schools need ${requirement.urbanRuralServiceYears} year(s) at a rural or weak school; you have ${served}.`
        : 'Not required: your school is rural.',
    });
  }

  const since = appointment ? Number(appointment.appointedOn.slice(0, 4)) + 1 : Number(facts.today.slice(0, 4)) - requirement.minYears;
  const considered = facts.assessments.filter((a) => a.year >= since);
  const below = considered.filter((a) => a.grade === 'basic_pass' || a.grade === 'fail').map((a) => a.year).sort();
  conditions.push({
    key: 'assessments',
    met: below.length === 0,
    detail: below.length === 0 ? `Every annual assessment since ${since} is pass or better (${considered.length} on record).` : `Annual assessments below pass in ${below.join(', ')}.`,
  });

  conditions.push({
    key: 'training',
    met: facts.trainingComplete === true,
    detail: facts.trainingComplete === null ? 'No training cycle is on record.' : facts.trainingComplete ? 'The training hours of the current cycle are complete.' : 'The training hours of the current cycle are not complete yet.',
  });

  const bans = bansOn(facts.ethics, facts.today);
  conditions.push({
    key: 'ethics',
    met: !bans.inForce,
    detail: bans.inForce ? (bans.permanent ? 'An ethics sanction bars title review permanently.' : `An ethics sanction bars title review until ${bans.until}.`) : 'No ethics ban is in force.',
  });

  conditions.push(postSlotCondition(requirement.targetTitle, facts.postSlots ?? null, facts.today));
  return { conditions, yearsInCurrentTitle: years };
}

/** Is a professional-technical post of the grades the target title needs free at the school today? */
export function postSlotCondition(targetTitle: string, slots: readonly PostSlotFact[] | null, today: string): TitleCondition {
  const grades = TITLE_POST_GRADES[targetTitle];
  if (!grades) return { key: 'post_slot', met: null, detail: `No post grade is defined for ${TITLE_WORDS[targetTitle] ?? targetTitle}.` };
  const range = grades.from === grades.to ? `grade ${grades.from}` : `grades ${grades.from}–${grades.to}`;
  const posts = `professional-technical posts of ${range} (${grades.words}), the posts for ${TITLE_WORDS[targetTitle]}`;
  if (slots === null) {
    return { key: 'post_slot', met: null, detail: `Your school's free ${posts} could not be read for you; the school checks them with staffing-quota before appointing.` };
  }
  const relevant = slots.filter((s) => s.category === 'PROFESSIONAL_TECHNICAL' && s.grade >= grades.from && s.grade <= grades.to && (s.ceiling > 0 || s.occupied > 0));
  const free = relevant.reduce((sum, s) => sum + s.free, 0);
  const year = today.slice(0, 4);
  if (relevant.every((s) => s.ceiling === 0)) {
    return { key: 'post_slot', met: false, detail: `Your school's ${year} post plan has no ${posts}, so none is free to appoint you to.` };
  }
  const figures = relevant.map((s) => `grade ${s.grade}: ${s.occupied} of ${s.ceiling} taken`).join('; ');
  return free > 0
    ? { key: 'post_slot', met: true, detail: `Your school has ${free} free ${free === 1 ? 'post' : 'posts'} among its ${posts} today (${figures}).` }
    : { key: 'post_slot', met: false, detail: `Every one of your school's ${posts} is taken today (${figures}), so none is free to appoint you to.` };
}
