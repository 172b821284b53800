import { isIsoDate } from '../../../shared/src/scalars';
import { userError, UserErrorCode, type UserError } from '../../../shared/src/mutations';
import {
  EDUCATION_LEVEL,
  EMPLOYMENT_FORM,
  ETHNICITY,
  ID_DOCUMENT_TYPE,
  POLITICAL_AFFILIATION,
  STAFF_CATEGORY,
  TITLE,
  hasCode,
  type CodeSet,
} from './code-sets';
import { parseResidentId } from './resident-id';

/** Basic information of the archive (DOMAIN.md §3) with database values (codes, ISO dates). */
export interface BasicInfo {
  name: string;
  formerNames: string | null;
  gender: number;
  birthDate: string;
  idDocumentType: string;
  idDocumentNumber: string;
  birthplaceCode: string | null;
  ethnicity: string;
  politicalAffiliation: string;
  educationLevel: string;
  staffCategory: string;
  onQuota: boolean;
  employmentForm: string;
  startedWorkOn: string;
  joinedSchoolOn: string;
  subject: string | null;
  title: string | null;
}

export const REQUIRED_FIELDS: (keyof BasicInfo)[] = [
  'name', 'gender', 'birthDate', 'idDocumentType', 'idDocumentNumber', 'ethnicity', 'politicalAffiliation',
  'educationLevel', 'staffCategory', 'onQuota', 'employmentForm', 'startedWorkOn', 'joinedSchoolOn',
];

const CODED_FIELDS: [keyof BasicInfo, CodeSet][] = [
  ['idDocumentType', ID_DOCUMENT_TYPE],
  ['ethnicity', ETHNICITY],
  ['politicalAffiliation', POLITICAL_AFFILIATION],
  ['educationLevel', EDUCATION_LEVEL],
  ['staffCategory', STAFF_CATEGORY],
  ['employmentForm', EMPLOYMENT_FORM],
  ['title', TITLE],
];

const TEXT_LIMITS: Partial<Record<keyof BasicInfo, number>> = { name: 50, formerNames: 100, idDocumentNumber: 30, subject: 30 };

const today = () => new Date().toISOString().slice(0, 10);
const yearsBetween = (from: string, to: string) => Number(to.slice(0, 4)) - Number(from.slice(0, 4)) - (to.slice(5) < from.slice(5) ? 1 : 0);

/**
 * Checks a complete record (a registration, an import row, or a current record with proposed
 * changes applied). `fieldPath` turns a field name into the path reported to the user, so GraphQL
 * mutations say ["input", "idDocumentNumber"] and the import names its column.
 */
export function validateBasicInfo(input: Partial<BasicInfo>, fieldPath: (field: keyof BasicInfo) => string[]): { errors: UserError[]; value: BasicInfo } {
  const errors: UserError[] = [];
  const invalid = (field: keyof BasicInfo, message: string) => errors.push(userError(UserErrorCode.INVALID_INPUT, `${field}: ${message}`, fieldPath(field)));
  const value = { ...input } as BasicInfo;

  for (const field of ['name', 'formerNames', 'idDocumentNumber', 'subject', 'birthplaceCode'] as const) {
    const raw = value[field];
    if (typeof raw === 'string') (value as unknown as Record<string, unknown>)[field] = raw.trim() === '' ? null : raw.trim();
  }
  for (const field of REQUIRED_FIELDS) {
    if (value[field] === undefined || value[field] === null) invalid(field, 'is required');
  }
  for (const [field, limit] of Object.entries(TEXT_LIMITS) as [keyof BasicInfo, number][]) {
    const raw = value[field];
    if (typeof raw === 'string' && [...raw].length > limit) invalid(field, `must be at most ${limit} characters (got ${[...raw].length})`);
  }
  for (const [field, set] of CODED_FIELDS) {
    const raw = value[field];
    if (raw != null && !hasCode(set, String(raw))) invalid(field, `"${String(raw)}" is not a code of ${set.standard}`);
  }
  if (value.gender != null && ![0, 1, 2, 9].includes(value.gender)) invalid('gender', 'is not a GB/T 2261.1 code');
  if (value.birthplaceCode != null && !/^\d{6}$/.test(value.birthplaceCode)) invalid('birthplaceCode', 'must be a 6-digit GB/T 2260 division code');

  const dates: (keyof BasicInfo)[] = ['birthDate', 'startedWorkOn', 'joinedSchoolOn'];
  const goodDate = (field: keyof BasicInfo) => typeof value[field] === 'string' && isIsoDate(value[field] as string);
  for (const field of dates) {
    const raw = value[field];
    if (raw == null) continue;
    if (!goodDate(field)) invalid(field, `"${String(raw)}" is not a calendar date (YYYY-MM-DD)`);
    else if ((raw as string) > today()) invalid(field, 'cannot be in the future');
  }
  if (goodDate('birthDate')) {
    const age = yearsBetween(value.birthDate, today());
    if (age < 16 || age > 100) invalid('birthDate', `gives an age of ${age}; a teacher is 16 to 100 years old`);
    if (goodDate('startedWorkOn') && yearsBetween(value.birthDate, value.startedWorkOn) < 16) invalid('startedWorkOn', 'must be at least 16 years after the birth date');
  }
  if (goodDate('startedWorkOn') && goodDate('joinedSchoolOn') && value.joinedSchoolOn < value.startedWorkOn) {
    invalid('joinedSchoolOn', 'cannot be before the date started work');
  }

  // A resident ID card carries the birth date and gender: they must agree with what was entered.
  if (value.idDocumentType === '1' && typeof value.idDocumentNumber === 'string') {
    const parsed = parseResidentId(value.idDocumentNumber);
    if (!parsed.ok) {
      invalid('idDocumentNumber', `resident ID number ${parsed.message}`);
    } else {
      value.idDocumentNumber = parsed.facts.number;
      if (goodDate('birthDate') && parsed.facts.birthDate !== value.birthDate) {
        invalid('birthDate', `${value.birthDate} differs from the birth date ${parsed.facts.birthDate} in the resident ID number`);
      }
      if ((value.gender === 1 || value.gender === 2) && parsed.facts.gender !== value.gender) {
        invalid('gender', `differs from the gender encoded in the resident ID number (${parsed.facts.gender === 1 ? 'male' : 'female'})`);
      }
      if (value.birthplaceCode == null) value.birthplaceCode = null;
    }
  }
  return { errors, value };
}
