import type { GraphQLSchema } from 'graphql';
import type { IMiddlewareFieldMap } from 'graphql-middleware';
import { allow, deny, rule, shield, type IRules } from 'graphql-shield';
import { forbidden } from './errors';
import { parseAdminRole, type AccountKind, type Viewer } from './identity';

type ShieldOptions = NonNullable<Parameters<typeof shield>[1]>;

/**
 * graphql-shield rules shared by every subgraph. Field rules decide *whether* a kind of viewer may
 * read a field at all; *which rows* it sees is decided in SQL by org-scope.ts.
 */
interface ViewerContext {
  viewer: Viewer;
}

const viewerRule = (name: string, test: (viewer: Viewer) => boolean) =>
  rule(name, { cache: 'contextual' })((_parent, _args, ctx: ViewerContext) => test(ctx.viewer));

const adminOfKind = (...kinds: AccountKind[]) => (viewer: Viewer) => {
  const admin = parseAdminRole(viewer.role);
  return admin !== null && kinds.includes(admin.kind);
};

// graphql-shield identifies rules by name and rejects two different rules with one name: one per scope.
const partnerScopeRules = new Map<string, ReturnType<typeof viewerRule>>();
export function hasPartnerScope(scope: string) {
  let scopeRule = partnerScopeRules.get(scope);
  if (!scopeRule) {
    scopeRule = viewerRule(`partnerScope:${scope}`, (v) => v.role === 'partner' && v.scopes.includes(scope));
    partnerScopeRules.set(scope, scopeRule);
  }
  return scopeRule;
}

/** Information administrators and query accounts read person-level records of their subtree. */
export const isRecordReaderAdmin = viewerRule('isRecordReaderAdmin', adminOfKind('info_admin', 'query'));
/** Any administrator (including system administrators, who manage accounts and the org tree). */
export const isAdmin = viewerRule('isAdmin', adminOfKind('system_admin', 'info_admin', 'query'));
export const isTeacher = viewerRule('isTeacher', (v) => v.role === 'teacher');
export const isAnalyst = viewerRule('isAnalyst', (v) => v.role === 'analyst');

/** Scopes named for partner applications; a token lists the ones its client was granted. */
export const PartnerScope = {
  /** Read the teacher dossier fields used by title review, awards and registration. */
  DOSSIER_READ: 'dossier:read',
  /** Navigate the organisation tree. */
  ORG_READ: 'org:read',
} as const;

/** Federation plumbing: entity lookups are authorised row by row inside the reference resolvers. */
export const federationRules: IRules = {
  Query: { _entities: allow, _service: allow },
  _Service: { sdl: allow },
};

export const shieldOptions = {
  fallbackRule: deny,
  fallbackError: () => forbidden(),
  // Resolver errors are already GraphQLErrors with registry codes, or are masked by formatError.
  allowExternalErrors: true,
  debug: false,
};

/**
 * Merges per-type rule maps (federation rules + the subgraph's own). A type maps either to one rule
 * for all its fields or to a field → rule map; only field maps are merged.
 */
export function mergeRules(...maps: IRules[]): IRules {
  const merged: Record<string, unknown> = {};
  for (const map of maps) {
    for (const [type, value] of Object.entries(map as Record<string, unknown>)) {
      const previous = merged[type];
      merged[type] = isFieldMap(previous) && isFieldMap(value) ? { ...previous, ...value } : value;
    }
  }
  return merged as IRules;
}

function isFieldMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;
}

/**
 * graphql-shield's middleware for `schema`, with two shortcuts that change no answer and no error:
 *
 * - Fields whose rule is `allow` are left unwrapped. Shield wraps every field in an async middleware
 *   that evaluates the field's rule; for `allow` that always calls the resolver.
 * - A rule that depends on the request alone (every rule here: `rule(..., { cache: 'contextual' })`,
 *   which shield evaluates once per request, and `and`/`or`/`not`/`chain`/`race` of such rules) has
 *   one verdict per request. When its functions answer `true`/`false` at once (the viewer checks do),
 *   the verdict is worked out synchronously on the field's first value, and a rule that passed lets
 *   the field's values (the same field of the next teacher on the page) call the resolver directly.
 *   A rule that does not pass that way goes through shield, every time, so refusals (and their audit
 *   rows, audit-context.ts) are exactly shield's.
 *
 * A page of 50 teachers has thousands of field values; each shield call is a promise and a few
 * calls more for GraphQL to wait on.
 */
export function shieldMiddleware(schema: GraphQLSchema, rules: IRules, options: ShieldOptions): IMiddlewareFieldMap {
  const generated = shield(rules, options).generate(schema) as Record<string, Record<string, unknown>>;
  const tree = rules as Record<string, unknown>;
  for (const [typeName, fields] of Object.entries(generated)) {
    for (const [fieldName, middleware] of Object.entries(fields)) {
      const fieldRule = ruleOfField(tree[typeName], fieldName, options.fallbackRule);
      if (fieldRule === allow) delete fields[fieldName];
      else if (fieldRule !== deny && dependsOnRequestOnly(fieldRule)) fields[fieldName] = withPassedRuleShortcut(fieldRule as ShieldRule, middleware);
    }
    if (Object.keys(fields).length === 0) delete generated[typeName];
  }
  return generated as IMiddlewareFieldMap;
}

/** The rule shield applies to a field (generator.js, applyRuleToType): the type's rule, or the field's, else `*`, else the fallback. */
function ruleOfField(typeRules: unknown, fieldName: string, fallbackRule: unknown): unknown {
  if (typeRules === undefined) return fallbackRule;
  if (!isFieldMap(typeRules)) return typeRules;
  return typeRules[fieldName] ?? typeRules['*'] ?? fallbackRule;
}

/** What this file reads of graphql-shield's rule classes (rules.js): `Rule` and the logic rules. */
interface ShieldRule {
  constructor: { name: string };
  cache?: unknown;
  func?: (parent: unknown, args: unknown, ctx: unknown, info: unknown) => unknown;
  getRules?: () => ShieldRule[];
}
type FieldResolve = (parent: unknown, args: unknown, ctx: unknown, info: unknown) => unknown;
type FieldMiddleware = (resolve: FieldResolve, parent: unknown, args: unknown, ctx: unknown, info: unknown) => unknown;

const LOGIC_RULES = new Set(['RuleOr', 'RuleAnd', 'RuleChain', 'RuleRace', 'RuleNot', 'RuleTrue', 'RuleFalse']);

/** True for shield's own rule classes whose verdict depends on the request's context only (see above). */
function dependsOnRequestOnly(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const rule = value as ShieldRule;
  if (LOGIC_RULES.has(rule.constructor.name) && typeof rule.getRules === 'function') return rule.getRules().every(dependsOnRequestOnly);
  return rule.constructor.name === 'Rule' && rule.cache === 'contextual' && typeof rule.func === 'function';
}

/**
 * The verdict of a request-only rule when its functions answer at once: true or false as shield
 * would reach it (rules.js: a rule passes only on `true`; `or`/`race` if one passes, `and`/`chain`
 * if all do, `not` if its rule does not), or undefined when a function returns anything else (a
 * promise, an error, a message) or throws: then shield decides.
 */
function verdictNow(rule: ShieldRule, parent: unknown, args: unknown, ctx: unknown, info: unknown): boolean | undefined {
  switch (rule.constructor.name) {
    case 'RuleTrue':
      return true;
    case 'RuleFalse':
      return false;
    case 'Rule': {
      let result: unknown;
      try {
        result = rule.func!(parent, args, ctx, info);
      } catch {
        return undefined;
      }
      return result === true ? true : result === false || result === null || result === undefined ? false : undefined;
    }
  }
  const verdicts = rule.getRules!().map((r) => verdictNow(r, parent, args, ctx, info));
  if (verdicts.includes(undefined)) return undefined;
  switch (rule.constructor.name) {
    case 'RuleOr':
    case 'RuleRace':
      return verdicts.includes(true);
    case 'RuleAnd':
    case 'RuleChain':
      return verdicts.every((v) => v === true);
    case 'RuleNot':
      return verdicts[0] !== true;
    default:
      return undefined;
  }
}

/** Rules (by object) that passed in a request (by context object). */
const passedRules = new WeakMap<object, Set<unknown>>();

function withPassedRuleShortcut(rule: ShieldRule, generated: unknown): unknown {
  // Shield hands a logic rule's middleware over as { fragments, resolve }.
  const middleware = (typeof generated === 'function' ? generated : (generated as { resolve: FieldMiddleware }).resolve) as FieldMiddleware;
  const wrapped: FieldMiddleware = (resolve, parent, args, ctx, info) => {
    if (ctx === null || typeof ctx !== 'object') return middleware(resolve, parent, args, ctx, info);
    let passed = passedRules.get(ctx);
    if (passed?.has(rule)) return resolve(parent, args, ctx, info);
    if (verdictNow(rule, parent, args, ctx, info) === true) {
      if (!passed) passedRules.set(ctx, (passed = new Set()));
      passed.add(rule);
      return resolve(parent, args, ctx, info);
    }
    return middleware(resolve, parent, args, ctx, info);
  };
  return typeof generated === 'function' ? wrapped : { ...(generated as object), resolve: wrapped };
}
