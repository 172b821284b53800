import { GraphQLScalarType, Kind } from 'graphql';
import { badUserInput } from './errors';

const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True for a real calendar date written YYYY-MM-DD (rejects 2023-02-30). */
export function isIsoDate(value: string): boolean {
  const match = DATE_PATTERN.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

function parseDate(value: unknown): string {
  if (typeof value !== 'string' || !isIsoDate(value)) throw badUserInput('Date', 'must be a calendar date written YYYY-MM-DD');
  return value;
}

/** `scalar Date`: an ISO 8601 calendar date without time or zone, as PostgreSQL `date` stores it. */
export const DateScalar = new GraphQLScalarType({
  name: 'Date',
  description: 'Calendar date, ISO 8601 YYYY-MM-DD.',
  serialize: (value) => (value instanceof Date ? value.toISOString().slice(0, 10) : parseDate(value)),
  parseValue: parseDate,
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING) throw badUserInput('Date', 'must be a string YYYY-MM-DD');
    return parseDate(ast.value);
  },
});
