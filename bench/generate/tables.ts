/**
 * Every table the generator fills, with the columns it writes (the rest keep their defaults).
 * Keys are `<subgraph>.<table>`; the subgraph's schema is resolved at load time.
 */
const PROVENANCE = ['id', 'teacher_id', 'source_system', 'entered_by', 'entered_role', 'verified'];

export const TABLES = {
  // teacher-registry
  'teacher-registry.org_unit': ['id', 'parent_id', 'name', 'level', 'path', 'school_stage', 'locale', 'is_public'],
  'teacher-registry.teacher': [
    'id', 'national_teacher_number', 'name', 'gender', 'birth_date', 'school_id', 'org_path', 'id_document_type', 'id_document_number',
    'birthplace_code', 'ethnicity', 'political_affiliation', 'education_level', 'staff_category', 'on_quota', 'employment_form',
    'started_work_on', 'joined_school_on', 'subject', 'title', 'status', 'record_status', 'provenance',
  ],
  'teacher-registry.teacher_education': [...PROVENANCE, 'starts_on', 'ends_on', 'institution', 'major', 'education_level', 'degree', 'is_highest'],
  'teacher-registry.teacher_work_history': [...PROVENANCE, 'starts_on', 'ends_on', 'org_name', 'org_id', 'position'],
  'teacher-registry.teacher_title_appointment': [...PROVENANCE, 'title', 'appointed_on', 'appointing_org', 'document_ref'],
  'teacher-registry.teacher_qualification': [...PROVENANCE, 'qualification_kind', 'subject', 'certificate_number', 'issued_on', 'issuing_authority'],
  'teacher-registry.teacher_skill_certificate': [...PROVENANCE, 'name', 'level', 'issued_on', 'issuer'],
  'teacher-registry.teacher_contact': [...PROVENANCE, 'mobile', 'valid_from'],
  'teacher-registry.teacher_award': [...PROVENANCE, 'award_name', 'level', 'issuer', 'awarded_on', 'document_ref'],
  'teacher-registry.teacher_pay': ['id', 'teacher_id', 'entered_by', 'entered_role', 'verified', 'post_grade', 'salary_step', 'basic_monthly_pay', 'monthly_allowances', 'effective_from'],
  // training
  'training.teacher_scope': ['teacher_id', 'org_path', 'status'],
  'training.org_scope': ['org_id', 'org_path'],
  'training.training_cycle': ['id', 'starts_on', 'ends_on', 'required_hours'],
  'training.training_record': ['id', 'teacher_id', 'title', 'form', 'hours', 'completed_on', 'organiser'],
  'training.credit_ledger_entry': [
    'id', 'teacher_id', 'entry_type', 'credit_kind', 'province_code', 'form', 'hours', 'credits', 'activity_on', 'title', 'training_record_id', 'rule_id', 'recorded_by',
  ],
  // staffing-quota
  'staffing-quota.teacher_scope': ['teacher_id', 'org_path', 'status'],
  'staffing-quota.org_scope': ['org_id', 'org_path'],
  'staffing-quota.school_profile': ['org_id', 'stage', 'locale', 'is_public'],
  'staffing-quota.school_designation': ['org_id', 'designation', 'designated_on'],
  'staffing-quota.teacher_profile': ['teacher_id', 'birth_date', 'gender', 'is_key_teacher'],
  'staffing-quota.staffing_quota': ['org_id', 'year', 'approved'],
  'staffing-quota.employment': ['id', 'teacher_id', 'org_id', 'on_quota', 'starts_on', 'ends_on', 'contract_kind'],
  'staffing-quota.enrolment': ['org_id', 'year', 'stage', 'grade', 'students', 'classes', 'boarders'],
  'staffing-quota.enrolment_version': ['org_id', 'year'],
  'staffing-quota.post_plan': ['org_id', 'year', 'category', 'grade', 'ceiling'],
  'staffing-quota.post_appointment': ['id', 'teacher_id', 'org_id', 'category', 'grade', 'starts_on'],
  'staffing-quota.staffing_extra_rule': ['province_code', 'kind', 'boarders_per_staff', 'effective_from', 'source'],
  'staffing-quota.rotation_parameter': ['province_code', 'min_years_at_school', 'age_limit_male', 'age_limit_female', 'min_share_of_eligible', 'min_share_key_teachers', 'effective_from', 'source'],
  'staffing-quota.rotation_plan': ['id', 'county_id', 'year', 'status'],
  'staffing-quota.rotation_assignment': ['id', 'plan_id', 'teacher_id', 'home_org_id', 'host_org_id', 'kind', 'starts_on', 'ends_on', 'status', 'key_teacher', 'from_urban_or_high_quality'],
  // evaluation
  'evaluation.teacher_scope': ['teacher_id', 'org_path', 'status'],
  'evaluation.annual_assessment': ['id', 'teacher_id', 'year', 'grade', 'assessed_by_org_id'],
  'evaluation.qualification_registration': ['id', 'teacher_id', 'cycle_starts_on', 'deadline'],
  'evaluation.ethics_entry': [
    'id', 'teacher_id', 'kind', 'sanction', 'summary', 'decided_on', 'period_ends_on', 'ban_ends_on', 'authority', 'document_ref', 'recorded_by_subject', 'recorded_by_org_id',
  ],
  'evaluation.rotation_projection': ['rotation_id', 'teacher_id', 'home_org_id', 'host_org_id', 'kind', 'starts_on', 'ends_on'],
} as const satisfies Record<string, readonly string[]>;

export type TableKey = keyof typeof TABLES;
export const TABLE_KEYS = Object.keys(TABLES) as TableKey[];
export type Value = string | number | boolean | null;

/** Where generated rows go: COPY streams when loading, a hash or an array in tests. */
export interface RowSink {
  row(table: TableKey, values: readonly Value[]): void;
  /** Called between units of work, so a sink can wait for its streams to drain. */
  drain(): Promise<void>;
}

export const subgraphOf = (key: TableKey): string => key.slice(0, key.indexOf('.'));
export const tableOf = (key: TableKey): string => key.slice(key.indexOf('.') + 1);

/** One line of PostgreSQL's COPY text format. */
export function copyLine(values: readonly Value[]): string {
  let line = '';
  for (let i = 0; i < values.length; i += 1) {
    if (i > 0) line += '\t';
    const v = values[i];
    if (v === null || v === undefined) line += '\\N';
    else if (typeof v === 'boolean') line += v ? 't' : 'f';
    else if (typeof v === 'number') line += String(v);
    else line += /[\\\t\n\r]/.test(v) ? v.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r') : v;
  }
  return line + '\n';
}
