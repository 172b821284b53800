import { allow, deny, rule, type IRules } from 'graphql-shield';
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
