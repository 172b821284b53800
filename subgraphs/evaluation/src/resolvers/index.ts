import { AnnualAssessment, AssessmentGrade, Teacher } from './Teacher';

export const resolvers = { Teacher, AnnualAssessment, AssessmentGrade };
