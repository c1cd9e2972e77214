/**
 * The named operators, kept in the registry (`operator/<name>`): who they are, their role, the
 * hash of their token. Every hub instance reads them from the registry topic, so an operator made
 * through one instance can sign in at all of them.
 *
 * LGSP_ADMIN_TOKEN only bootstraps: at start, when the registry holds no operator at all, the hub
 * writes the operator `admin` (role admin) with the hash of LGSP_ADMIN_TOKEN. From then on the
 * variable is not read; the registry decides. The last admin can be neither deleted nor demoted.
 */
import { HubError } from '../contract/problems.ts';
import type { Operator, Role } from '../http/route.ts';
import type { Logger } from '../ops/logger.ts';
import type { RegistryStore } from '../registry/registry-store.ts';
import type { AuditSink } from './audit-trail.ts';
import { claimedOperator, issueOperatorToken, matchToken, tokenSha256, type OperatorRecord } from './operator-tokens.ts';

export const BOOTSTRAP_ADMIN = 'admin';

type Registry = Pick<RegistryStore, 'operators' | 'operator' | 'putOperator' | 'deleteOperator'>;

export class OperatorAccounts {
  private readonly registry: Registry;
  private readonly now: () => number;

  constructor(registry: Registry, now: () => number = Date.now) {
    this.registry = registry;
    this.now = now;
  }

  /** The operator `token` belongs to (its current token, or its previous one within the overlap). */
  verify(token: string): Operator | undefined {
    const claimed = claimedOperator(token);
    const named = claimed === undefined ? undefined : this.registry.operator(claimed);
    // A token of the `lgsp-op.` form is checked against the operator it names; any other (the
    // bootstrap admin's LGSP_ADMIN_TOKEN) against every operator.
    const candidates = claimed === undefined ? this.registry.operators() : named ? [named] : [];
    const record = matchToken(token, candidates, this.now());
    return record && { operator: true, name: record.name, role: record.role };
  }

  list(): OperatorRecord[] {
    return this.registry.operators().sort((a, b) => a.name.localeCompare(b.name));
  }

  existing(name: string): OperatorRecord {
    const record = this.registry.operator(name);
    if (!record) throw new HubError('not-found', `No operator "${name}"; GET /v1/operators lists them.`);
    return record;
  }

  /** Creates `name` with `role`; returns the record and its token (shown once). */
  async create(name: string, role: Role, by: string): Promise<{ record: OperatorRecord; token: string }> {
    if (this.registry.operator(name)) throw new HubError('conflict', `An operator "${name}" exists already; PUT /v1/operators/${name} changes its role.`);
    const { token, tokenSha256: hash } = issueOperatorToken(name);
    const at = this.isoNow();
    const record: OperatorRecord = { name, role, tokenSha256: hash, createdAt: at, updatedAt: at, createdBy: by };
    await this.registry.putOperator(record);
    return { record, token };
  }

  async setRole(name: string, role: Role): Promise<OperatorRecord> {
    const before = this.existing(name);
    if (before.role === 'admin' && role !== 'admin') this.refuseLastAdmin(name, 'demote');
    const record = { ...before, role, updatedAt: this.isoNow() };
    await this.registry.putOperator(record);
    return record;
  }

  /** A new token; the current one keeps working for `overlapMs` (0: it stops now). */
  async rotate(name: string, overlapMs: number): Promise<{ record: OperatorRecord; token: string }> {
    const before = this.existing(name);
    const { token, tokenSha256: hash } = issueOperatorToken(name);
    const { previous: _replaced, ...rest } = before;
    const at = this.now();
    const record: OperatorRecord = {
      ...rest,
      tokenSha256: hash,
      ...(overlapMs > 0 ? { previous: { tokenSha256: before.tokenSha256, until: new Date(at + overlapMs).toISOString() } } : {}),
      updatedAt: new Date(at).toISOString(),
    };
    await this.registry.putOperator(record);
    return { record, token };
  }

  async delete(name: string): Promise<void> {
    if (this.existing(name).role === 'admin') this.refuseLastAdmin(name, 'delete');
    await this.registry.deleteOperator(name);
  }

  /**
   * At start: writes the first admin from LGSP_ADMIN_TOKEN when the registry holds no operator;
   * otherwise warns when LGSP_ADMIN_TOKEN is set but is no operator's token (it is ignored).
   */
  async bootstrap(adminToken: { readonly value: string; readonly generated: boolean }, audit: AuditSink, logger: Logger): Promise<void> {
    if (this.registry.operators().length > 0) {
      if (!adminToken.generated && !this.verify(adminToken.value)) {
        logger.warn(
          'LGSP_ADMIN_TOKEN is set but is no operator’s token: it is ignored (it only bootstraps the first admin of an empty registry). Remove it from the environment; operators sign in with their own tokens.',
        );
      }
      return;
    }
    const at = this.isoNow();
    await this.registry.putOperator({
      name: BOOTSTRAP_ADMIN,
      role: 'admin',
      tokenSha256: tokenSha256(adminToken.value),
      createdAt: at,
      updatedAt: at,
      createdBy: 'LGSP_ADMIN_TOKEN',
    });
    await audit({ operator: BOOTSTRAP_ADMIN, role: 'admin', action: 'bootstrap', params: { from: 'LGSP_ADMIN_TOKEN' }, outcome: 201 });
    const next = 'create named operators (lgsp operators create), then rotate this token (lgsp operators rotate admin)';
    if (adminToken.generated)
      logger.warn(`the registry had no operator: created "${BOOTSTRAP_ADMIN}" (role admin) with the token ${adminToken.value}; store it now, ${next}`);
    else logger.info(`the registry had no operator: created "${BOOTSTRAP_ADMIN}" (role admin) with LGSP_ADMIN_TOKEN as its token; ${next}`);
  }

  private refuseLastAdmin(name: string, what: 'delete' | 'demote'): void {
    if (this.registry.operators().some((o) => o.role === 'admin' && o.name !== name)) return;
    throw new HubError('conflict', `"${name}" is the last admin: it cannot be ${what}d. Make another operator admin first (PUT /v1/operators/<name>).`);
  }

  private isoNow(): string {
    return new Date(this.now()).toISOString();
  }
}
