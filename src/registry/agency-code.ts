/**
 * The agency electronic identification code ("mã định danh điện tử", Decision 20/2020/QĐ-TTg):
 * `V1V2V3.Z1Z2.Y1Y2.M1X1X2`, read right to left from the level-1 body (`M1X1X2`, e.g. `H49`)
 * through level 2 (`Y1Y2`), level 3 (`Z1Z2`) and level 4 (`V1V2V3`); see
 * shared/domain/agency-codes.md. Pure functions: the directory calls them to check codes and to
 * derive parents that are not given explicitly.
 */

/** The format every agency code must match (also `common.schema.json#/$defs/agencyCode`). */
export const AGENCY_CODE_PATTERN = /^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}$/;

/**
 * Checks the format of `code`. Returns `undefined` when it is valid, else a message naming the
 * rule (for an issue's `message`). Call it before the other functions of this module.
 */
export function checkAgencyCode(code: string): string | undefined {
  if (AGENCY_CODE_PATTERN.test(code)) return undefined;
  return `"${code}" is not an agency code: must match ddd.dd.dd.Xdd (V1V2V3.Z1Z2.Y1Y2.M1X1X2, e.g. 000.00.15.H49)`;
}

/**
 * The parent of `code` by the code's own structure: the most specific non-zero group is zeroed
 * (`001.03.15.H56` → `000.03.15.H56` → `000.00.15.H56` → `000.00.00.H56`).
 * - `null`: `code` is a level-1 body (`000.00.00.X00`); its parent is the central level (the
 *   directory decides which node that is, if any);
 * - `undefined`: no parent can be derived, because a non-zero group sits below a zero group
 *   (`001.00.15.H56`) or the code is malformed: the directory needs an explicit parent.
 */
export function derivedParent(code: string): string | null | undefined {
  const groups = splitCode(code);
  if (!groups) return undefined;
  // groups[0] = V (level 4), [1] = Z (level 3), [2] = Y (level 2), [3] = M1X1X2 (level 1).
  const mostSpecific = groups.slice(0, 3).findIndex((g) => !isZero(g));
  if (mostSpecific === -1) return null;
  for (let i = mostSpecific + 1; i < 3; i++) {
    if (isZero(groups[i] ?? '')) return undefined; // e.g. 001.00.15: level 4 under an empty level 3
  }
  const parent = [...groups];
  parent[mostSpecific] = '0'.repeat(groups[mostSpecific]?.length ?? 0);
  return parent.join('.');
}

/**
 * The level-1 group of `code` (`H49` for `000.00.15.H49`, `G15` for a ministry's unit): the
 * province for `H`/`K` codes, the ministry or government body for `G` codes. `undefined` when
 * the code is malformed. Subscription filters (`sourceProvince`) compare against it.
 */
export function provinceOf(code: string): string | undefined {
  return splitCode(code)?.[3];
}

/** True when `code` is a level-1 body itself (`000.00.00.X00`). */
export function isLevelOneCode(code: string): boolean {
  return derivedParent(code) === null;
}

function splitCode(code: string): string[] | undefined {
  return AGENCY_CODE_PATTERN.test(code) ? code.split('.') : undefined;
}

function isZero(group: string): boolean {
  return /^0+$/.test(group);
}
