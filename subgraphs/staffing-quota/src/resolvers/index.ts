import { DateScalar } from '../../../shared/src/scalars';
import { OrgUnit } from './OrgUnit';
import { Employment, Teacher } from './Teacher';

export const resolvers = { Date: DateScalar, OrgUnit, Teacher, Employment };
