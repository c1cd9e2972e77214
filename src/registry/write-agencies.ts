/**
 * Writes agency records to the registry after checking each against the schema and all of them
 * together against the current directory (the tree must stay whole). Used by the agencies API
 * and by the first-start seed (LGSP_AGENCIES_FILE). Throws `validation-failed` with every problem;
 * then nothing is written.
 */
import { HubError } from '../contract/problems.ts';
import type { AgencyRecord, SchemaSet, ValidationIssue } from '../contract/schema-set.ts';
import { DirectoryError } from './agency-directory.ts';
import type { RegistryStore } from './registry-store.ts';

/** `indexed`: paths start with the record's index (`/3/parent`), as for an import. */
export async function writeAgencies(registry: RegistryStore, schemas: SchemaSet, records: readonly AgencyRecord[], indexed: boolean): Promise<void> {
  const issues: ValidationIssue[] = records.flatMap((r, i) =>
    schemas.validateAgency(r).map((issue) => ({ ...issue, path: `${indexed ? `/${i}` : ''}${issue.path}` })),
  );
  if (issues.length === 0) {
    try {
      registry.directory().with(records);
    } catch (err) {
      if (!(err instanceof DirectoryError)) throw err;
      issues.push(...err.problems.map((p) => (indexed ? p : { ...p, path: p.path.replace(/^\/0/, '') })));
    }
  }
  if (issues.length > 0) throw new HubError('validation-failed', `${issues.length} problem(s); nothing was written.`, { errors: issues });
  await registry.putAgencies(records);
}
