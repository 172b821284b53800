import { DateScalar } from '../../../shared/src/scalars';
import { Query } from './Query';
import { Teacher, TrainingForm } from './Teacher';

export const resolvers = { Date: DateScalar, Query, Teacher, TrainingForm };
