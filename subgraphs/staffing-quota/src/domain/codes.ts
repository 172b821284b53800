/** Database values behind the GraphQL enums of this subgraph (the SDL uses UPPER_CASE names). */
export const EducationStage = {
  KINDERGARTEN: 'kindergarten',
  PRIMARY: 'primary',
  JUNIOR_SECONDARY: 'junior_secondary',
  SENIOR_SECONDARY: 'senior_secondary',
  VOCATIONAL: 'vocational',
} as const;
export type EducationStageValue = (typeof EducationStage)[keyof typeof EducationStage];

export const Locale = { URBAN: 'urban', COUNTY_TOWN: 'county_town', RURAL: 'rural' } as const;
export const PostCategory = { MANAGEMENT: 'management', PROFESSIONAL_TECHNICAL: 'professional_technical', SKILLED_SUPPORT: 'skilled_support' } as const;
export type PostCategoryValue = (typeof PostCategory)[keyof typeof PostCategory];
export const ContractKind = { EMPLOYMENT_CONTRACT: 'employment_contract', LABOUR_CONTRACT: 'labour_contract', AGENCY: 'agency' } as const;
export const TransferKind = {
  NEW_HIRE: 'new_hire',
  TRANSFER_WITHIN_PROVINCE: 'transfer_within_province',
  TRANSFER_ACROSS_PROVINCES: 'transfer_across_provinces',
  LEAVE: 'leave',
  RETIRE: 'retire',
} as const;
export type TransferKindValue = (typeof TransferKind)[keyof typeof TransferKind];
export const TransferStatus = { PENDING: 'pending', COMPLETED: 'completed', REJECTED: 'rejected' } as const;
export const TransferStep = {
  RELEASING_SCHOOL: 'releasing_school',
  RELEASING_SUPERIOR: 'releasing_superior',
  RECEIVING_SCHOOL: 'receiving_school',
  RECEIVING_SUPERIOR: 'receiving_superior',
} as const;
export type TransferStepValue = (typeof TransferStep)[keyof typeof TransferStep];
export const RotationKind = { EXCHANGE: 'exchange', SUPPORT_TEACHING: 'support_teaching', ITINERANT: 'itinerant' } as const;
export const RotationPlanStatus = { DRAFT: 'draft', SUBMITTED: 'submitted' } as const;
export const SchoolDesignation = { HIGH_QUALITY: 'high_quality', WEAK: 'weak' } as const;
export const RotationStatus = { PLANNED: 'planned', COMPLETED: 'completed' } as const;

/** Grades per stage: primary 1–6, the others 1–3 (kindergarten: small, middle, large class). */
export const GRADES_PER_STAGE: Record<EducationStageValue, number> = {
  kindergarten: 3,
  primary: 6,
  junior_secondary: 3,
  senior_secondary: 3,
  vocational: 3,
};

/** Which stages a school of each type [学校类型] enrols. */
export const STAGES_OF_SCHOOL: Record<string, EducationStageValue[]> = {
  kindergarten: ['kindergarten'],
  primary: ['primary'],
  junior_secondary: ['junior_secondary'],
  senior_secondary: ['senior_secondary'],
  nine_year: ['primary', 'junior_secondary'],
  complete_secondary: ['junior_secondary', 'senior_secondary'],
  vocational: ['vocational'],
};

/** Post grades per category: management 1–10, professional-technical 1–13, skilled support 1–5. */
export const MAX_GRADE: Record<PostCategoryValue, number> = { management: 10, professional_technical: 13, skilled_support: 5 };

/** Steps each kind of movement needs: the side that loses a teacher and the side that gains one. */
export const REQUIRED_STEPS: Record<TransferKindValue, TransferStepValue[]> = {
  new_hire: ['receiving_school', 'receiving_superior'],
  transfer_within_province: ['releasing_school', 'releasing_superior', 'receiving_school', 'receiving_superior'],
  transfer_across_provinces: ['releasing_school', 'releasing_superior', 'receiving_school', 'receiving_superior'],
  leave: ['releasing_school', 'releasing_superior'],
  retire: ['releasing_school', 'releasing_superior'],
};

/** The province code inside a materialised path `/CN/420000/…/`. */
export const provinceOfPath = (path: string): string | null => path.split('/')[2] ?? null;

export const todayIso = (): string => new Date().toISOString().slice(0, 10);
