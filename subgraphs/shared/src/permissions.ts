import type { GraphQLSchema } from 'graphql';
import type { IMiddlewareFieldMap } from 'graphql-middleware';
import { allow, deny, rule, shield, type IRules } from 'graphql-shield';

type ShieldOptions = NonNullable<Parameters<typeof shield>[1]>;
import { forbidden } from './errors';
import { parseAdminRole, type AccountKind, type Viewer } from './identity';

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
 * - A rule that depends on the request alone (every rule here: `rule(..., { cache: 'contextual' })`
 *   and `and`/`or`/`not`/`chain`/`race` of such rules, `allow`, `deny`) has one verdict per request,
 *   which shield computes once and keeps in the request's context. Once a field's rule has passed in a
 *   request, that field's later values (the same field of the next teacher on the page) call the
 *   resolver directly instead of asking shield again. A rule that did not pass goes through shield
 *   every time, so refusals (and their audit rows, audit-context.ts) are exactly shield's.
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
      else if (fieldRule !== deny && dependsOnRequestOnly(fieldRule)) fields[fieldName] = withPassedRuleShortcut(fieldRule as RuleLike, middleware, options);
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

interface RuleLike {
  resolve(parent: unknown, args: unknown, ctx: unknown, info: unknown, options: unknown): Promise<unknown>;
}
type FieldResolve = (parent: unknown, args: unknown, ctx: unknown, info: unknown) => unknown;
type FieldMiddleware = (resolve: FieldResolve, parent: unknown, args: unknown, ctx: unknown, info: unknown) => unknown;

const LOGIC_RULES = new Set(['RuleOr', 'RuleAnd', 'RuleChain', 'RuleRace', 'RuleNot', 'RuleTrue', 'RuleFalse']);

/** True for shield's own rule classes whose verdict depends on the request's context only (see above). */
function dependsOnRequestOnly(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const rule = value as { constructor: { name: string }; cache?: unknown; getRules?: () => unknown[] };
  if (LOGIC_RULES.has(rule.constructor.name) && typeof rule.getRules === 'function') return rule.getRules().every(dependsOnRequestOnly);
  return rule.constructor.name === 'Rule' && rule.cache === 'contextual';
}

/** Rules (by object) that passed in a request (by context object). */
const passedRules = new WeakMap<object, Set<unknown>>();

function withPassedRuleShortcut(rule: RuleLike, generated: unknown, options: ShieldOptions): unknown {
  // Shield hands a logic rule's middleware over as { fragments, resolve }.
  const middleware = (typeof generated === 'function' ? generated : (generated as { resolve: FieldMiddleware }).resolve) as FieldMiddleware;
  const wrapped: FieldMiddleware = (resolve, parent, args, ctx, info) => {
    if (ctx && typeof ctx === 'object' && passedRules.get(ctx)?.has(rule)) return resolve(parent, args, ctx, info);
    return (async () => {
      const value = await middleware(resolve, parent, args, ctx, info);
      // Shield has cached the verdict of every contextual rule in the context: asking again runs no rule function that passed.
      if (ctx && typeof ctx === 'object' && (await rule.resolve(parent, args, ctx, info, options)) === true) {
        let passed = passedRules.get(ctx);
        if (!passed) passedRules.set(ctx, (passed = new Set()));
        passed.add(rule);
      }
      return value;
    })();
  };
  return typeof generated === 'function' ? wrapped : { ...(generated as object), resolve: wrapped };
}
