/**
 * Creates the first system administrator account of an installation, which REQUIRE_ACCOUNT (on in
 * production) needs before anyone can sign in to create accounts through the API. Audited.
 *
 *   DATABASE_URL=… TEACHER_REGISTRY_DATABASE_SCHEMA=teacher_registry npx tsx subgraphs/teacher-registry/scripts/bootstrap-account.ts \
 *     <subject> <name> national_system_admin CN <operator>
 */
import { createDb } from '../../shared/src/db';
import type { Role } from '../../shared/src/identity';
import { bootstrapSystemAdmin } from '../src/services/accounts';

async function main() {
  const [subject, name, role, organisationId, operator] = process.argv.slice(2);
  const url = process.env.DATABASE_URL;
  if (!subject || !name || !role || !organisationId || !operator || !url) {
    throw new Error('usage: DATABASE_URL=… bootstrap-account.ts <subject> <name> <role> <organisationId> <operator>');
  }
  const db = createDb({ url, schema: process.env.TEACHER_REGISTRY_DATABASE_SCHEMA ?? 'teacher_registry', poolMax: 2, statementTimeoutMs: 60_000, applicationName: 'bootstrap-account' });
  try {
    const id = await bootstrapSystemAdmin(db, { subject, name, role: role as Role, organisationId, operator });
    console.log(`account ${id} created for ${subject} (${role} at ${organisationId})`);
  } finally {
    await db.destroy();
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
