import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import {
  buildSchema,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  type GraphQLField,
  type GraphQLInputType,
} from 'graphql';
import { buildDemoDataset } from '../../subgraphs/shared/src/demo/dataset';
import { UserErrorCode } from '../../subgraphs/shared/src/mutations';
import { startTestPlatform, type TestPlatform } from '../helpers/platform';
import { checkInvariants, dbsOf, settleEvents } from './invariants';

/**
 * Bad input at volume (issue #10, item 5): fast-check throws random and hostile variables at EVERY
 * mutation of the composed supergraph, through the gateway. The mutations are read from
 * schema/supergraph.graphql, so a new one is covered without touching this file. Each answer must
 * be data or a clear error (a UserError with a stable code, or a GraphQL request error naming the
 * problem), never an HTTP 5xx or INTERNAL_SERVER_ERROR; afterwards the data still reconciles.
 *
 * PROPERTY_RUNS sets the runs per mutation (default 20); PROPERTY_SEED replays a failure.
 */
const RUNS = Number(process.env.PROPERTY_RUNS ?? 20);
const SEED = process.env.PROPERTY_SEED ? Number(process.env.PROPERTY_SEED) : undefined;

const schema = buildSchema(readFileSync(join(__dirname, '..', '..', 'schema', 'supergraph.graphql'), 'utf8'), { assumeValidSDL: true });
const mutationType = schema.getMutationType();
const mutations = Object.values(mutationType?.getFields() ?? {});

const demo = buildDemoDataset();
const demoIds = [
  ...demo.teachers.slice(0, 5).map((t) => t.id),
  ...demo.orgUnits.filter((o) => ['CN', '420000', '420111', '1142000101'].includes(o.id)).map((o) => o.id),
];

/** Strings a careless or hostile client sends. */
const hostileStrings = fc.constantFrom(
  '',
  ' ',
  "' OR 1=1 --",
  "'; drop table teacher; --",
  'Robert"); DROP TABLE students;--',
  '${jndi:ldap://x}',
  '<script>alert(1)</script>',
  '\u0000',
  '\ud800',
  '𠀀𪚥🧑‍🏫',
  'ｔｅｓｔ',
  '١٢٣',
  '../../etc/passwd',
  '%s%s%s%n',
  '9'.repeat(400),
  'x'.repeat(20_000),
  '-1',
  '1e309',
  'NaN',
  'null',
  '2026-02-30',
  '0000-00-00',
  '99999-12-31',
  '00000000-0000-0000-0000-000000000000',
);
const anyString = fc.oneof(
  { weight: 3, arbitrary: hostileStrings },
  { weight: 2, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
  { weight: 2, arbitrary: fc.constantFrom(...demoIds) },
  { weight: 1, arbitrary: fc.uuid() },
  { weight: 1, arbitrary: fc.date({ min: new Date('1900-01-01'), max: new Date('2100-12-31'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)) },
);
const anyInt = fc.oneof(
  fc.integer({ min: -5, max: 120 }),
  fc.constantFrom(0, -1, 2026, 2147483647, -2147483648, 1900, 9999),
  fc.integer(),
);
const anyFloat = fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constantFrom(0, -0.5, 1e308, -1e-308, 0.1));

/** Something of the wrong type, or absurdly shaped: GraphQL validation must refuse it with a message. */
const wrongShape: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null),
  anyInt,
  fc.boolean(),
  anyString,
  fc.constant({ $where: 'sleep(1000)' }),
  fc.constant([1, 'two', { three: 3 }]),
  fc.integer({ min: 10, max: 200 }).map((depth) => {
    let value: unknown = 'deep';
    for (let i = 0; i < depth; i += 1) value = [value];
    return value;
  }),
  fc.integer({ min: 10, max: 200 }).map((depth) => {
    let value: unknown = { leaf: true };
    for (let i = 0; i < depth; i += 1) value = { nested: value };
    return value;
  }),
);

/** Values shaped like the declared type most of the time, so mutations get past validation and into their own checks. */
function valueFor(type: GraphQLInputType, depth = 0): fc.Arbitrary<unknown> {
  if (isNonNullType(type)) return valueFor(type.ofType as GraphQLInputType, depth);
  if (isListType(type)) return fc.array(valueFor(type.ofType as GraphQLInputType, depth + 1), { maxLength: depth > 2 ? 1 : 4 });
  const named = getNamedType(type);
  if (isEnumType(named)) return fc.oneof({ weight: 9, arbitrary: fc.constantFrom(...named.getValues().map((v) => v.name)) }, { weight: 1, arbitrary: anyString });
  if (isScalarType(named)) {
    switch (named.name) {
      case 'Int':
        return anyInt;
      case 'Float':
        return anyFloat;
      case 'Boolean':
        return fc.boolean();
      default:
        return anyString; // String, ID, Date and the other string-shaped scalars
    }
  }
  if (isInputObjectType(named)) {
    if (depth > 4) return fc.constant({});
    const fields = Object.values(named.getFields());
    const model: Record<string, fc.Arbitrary<unknown>> = {};
    for (const field of fields) model[field.name] = valueFor(field.type, depth + 1);
    const required = fields.filter((f) => isNonNullType(f.type) && f.defaultValue === undefined).map((f) => f.name);
    return fc.record(model, { requiredKeys: required });
  }
  return fc.constant(null);
}

/** Mostly well-shaped values with now and then a wrong-shaped one anywhere at the top level. */
function variablesFor(field: GraphQLField<unknown, unknown>): fc.Arbitrary<Record<string, unknown>> {
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  for (const arg of field.args) model[arg.name] = fc.oneof({ weight: 5, arbitrary: valueFor(arg.type) }, { weight: 1, arbitrary: wrongShape });
  return fc.record(model);
}

function documentFor(field: GraphQLField<unknown, unknown>): string {
  const args = field.args;
  const declared = args.map((a) => `$${a.name}: ${a.type.toString()}`).join(', ');
  const passed = args.map((a) => `${a.name}: $${a.name}`).join(', ');
  const result = getNamedType(field.type);
  let selection = '';
  if (isObjectType(result)) {
    const fields = result.getFields();
    selection = `{ __typename${fields.errors ? ' errors { code message field }' : ''} }`;
  }
  return `mutation Property${declared ? `(${declared})` : ''} { ${field.name}${passed ? `(${passed})` : ''} ${selection} }`;
}

/** GraphQL request errors that say clearly what is wrong with the request or the caller. */
const CLEAR_REQUEST_ERRORS = new Set(['GRAPHQL_VALIDATION_FAILED', 'BAD_USER_INPUT', 'BAD_REQUEST', 'FORBIDDEN', 'NOT_FOUND', 'UNAUTHENTICATED', 'GRAPHQL_PARSE_FAILED']);
const USER_ERROR_CODES = new Set<string>(Object.values(UserErrorCode));

interface Answer {
  status: number;
  body: { data?: Record<string, any> | null; errors?: { message: string; extensions?: { code?: string } }[] };
}

/** Why an answer is not acceptable, or null when it is. */
function problemWith(field: GraphQLField<unknown, unknown>, answer: Answer): string | null {
  if (answer.status >= 500) return `HTTP ${answer.status}: ${JSON.stringify(answer.body).slice(0, 300)}`;
  for (const error of answer.body.errors ?? []) {
    const code = error.extensions?.code ?? '(none)';
    if (!CLEAR_REQUEST_ERRORS.has(code)) return `error code ${code}: ${error.message}`;
    if (!error.message || error.message === 'Internal server error') return `error ${code} without a message`;
  }
  const payload = answer.body.data?.[field.name];
  if (!answer.body.errors?.length && answer.body.data == null) return 'neither data nor errors';
  for (const userError of payload?.errors ?? []) {
    if (!USER_ERROR_CODES.has(userError.code)) return `unknown UserError code ${userError.code}`;
    if (!userError.message) return `UserError ${userError.code} without a message`;
    if (userError.code === 'INVALID_INPUT' && !userError.field?.length) return `INVALID_INPUT without a field: ${userError.message}`;
  }
  return null;
}

(mutations.length ? describe : describe.skip)('every mutation under random and hostile variables', () => {
  let t: TestPlatform;
  let tokens: string[];

  beforeAll(async () => {
    t = await startTestPlatform({ EVENT_RELAY_INTERVAL_MS: '3600000', RATE_LIMIT_USER_PER_MINUTE: '1000000' });
    // Administrators at three levels, so mutations get past authorisation into their own input checks.
    tokens = [await t.token('national_info_admin', 'CN'), await t.token('county_info_admin', '420111'), await t.token('school_info_admin', '1142000101')];
  }, 180000);
  afterAll(async () => {
    await t?.stop();
  });

  it('enumerates the mutations from the composed schema', () => {
    expect(mutations.length).toBeGreaterThan(50);
  });

  it.each(mutations.map((m) => [m.name, m] as const))('%s answers data or a clear error', async (_name, field) => {
    const query = documentFor(field);
    const failures: string[] = [];
    await fc.assert(
      fc.asyncProperty(variablesFor(field), fc.nat({ max: tokens.length - 1 }), async (variables, who) => {
        const response = await fetch(t.gatewayUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens[who]}` },
          body: JSON.stringify({ query, variables }),
        });
        const text = await response.text();
        let body: Answer['body'];
        try {
          body = JSON.parse(text);
        } catch {
          failures.push(`not JSON (HTTP ${response.status}): ${text.slice(0, 200)}`);
          return false;
        }
        const problem = problemWith(field, { status: response.status, body });
        if (problem) failures.push(`${problem}\n  variables: ${JSON.stringify(variables).slice(0, 500)}`);
        return problem === null;
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    ).catch((error: Error) => {
      throw new Error(`${field.name}: ${failures[0] ?? error.message}\n${error.message.split('\n').slice(0, 3).join('\n')}`);
    });
  });

  it('leaves data that still reconciles', async () => {
    await settleEvents(t.platform.subgraphs);
    expect(await checkInvariants(dbsOf(t.platform.subgraphs), { requireDrained: true })).toEqual([]);
  });
});
