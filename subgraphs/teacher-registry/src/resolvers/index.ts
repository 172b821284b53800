import { DateScalar } from '../../../shared/src/scalars';
import { Locale, OrgLevel, OrgUnit, SchoolStage } from './OrgUnit';
import { Query } from './Query';
import { Gender, Teacher } from './Teacher';
import { Viewer } from './Viewer';

export const resolvers = { Date: DateScalar, Query, OrgUnit, Teacher, Viewer, Gender, OrgLevel, SchoolStage, Locale };
