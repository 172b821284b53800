/** GraphQL enum values ↔ the lower-case codes stored in the database. */
export const TrainingForm = {
  CENTRALISED: 'centralised',
  ONLINE: 'online',
  SCHOOL_BASED: 'school_based',
  TEACHING_RESEARCH: 'teaching_research',
  PRACTICE: 'practice',
};
export const TrainingLevel = { NATIONAL: 'national', PROVINCIAL: 'provincial', CITY: 'city', COUNTY: 'county', SCHOOL: 'school' };
export const TrainingRecordSource = { IMPORTED: 'imported', COURSE: 'course', DECLARATION: 'declaration' };
export const CreditEntryType = { DEPOSIT: 'deposit', CONVERSION_OUT: 'conversion_out', CONVERSION_IN: 'conversion_in' };
export const CreditKind = { TRAINING: 'training', DEGREE: 'degree' };
export const CreditApplicationPurpose = { REGISTRATION: 'registration', ASSESSMENT: 'assessment', TITLE_REVIEW: 'title_review', AWARD: 'award' };
export const EnrolmentStatus = { ENROLLED: 'enrolled', COMPLETED: 'completed', FAILED: 'failed' };
export const DeclarationStatus = {
  SUBMITTED: 'submitted',
  SCHOOL_APPROVED: 'school_approved',
  RETURNED: 'returned',
  RECOGNISED: 'recognised',
  REJECTED: 'rejected',
};
