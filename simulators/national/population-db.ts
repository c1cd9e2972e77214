/**
 * A simulated national population database ("Cơ sở dữ liệu quốc gia về dân cư", CSDLQG về dân cư,
 * kept by the Ministry of Public Security) as a provider of a data-sharing service behind the hub,
 * for tests, the bench and the demo (docs/simulators.md):
 * - `GET /citizens/{personalId}` → the citizen, only the fields the call's purpose allows;
 * - `POST /citizens:verify` `{ personalId, fullName, dateOfBirth }` → whether they match the
 *   record (`match`, and per field), with the allowed fields of the record only when they match.
 *   Names compare in Unicode NFC, ignoring case and extra spaces; diacritics count ("Lương Đức Anh"
 *   is not "Luong Duc Anh").
 * The purpose is the hub's `X-LGSP-Purpose` (the grant's purpose): one without an entry in
 * `PURPOSE_FIELDS`, or none, is `403`. A personal id that is not 12 digits is `400`; one not in
 * the register is `404`. Signature checks, recording and faults: `provider.ts`.
 */
import type { Request, Response } from 'express';
import { CITIZENS, HOUSEHOLDS, type Citizen } from './citizens.ts';
import { bodyOf, errorBody, HUB_CALL_HEADERS, startProvider, type NationalProvider, type ProviderOptions } from './provider.ts';

/** The fields a lookup may answer besides `personalId`. */
export type CitizenField = 'fullName' | 'dateOfBirth' | 'gender' | 'permanentAddress' | 'household';

/**
 * What each purpose may see, the one place it is decided ("answers only what the purpose needs",
 * Decree 13/2023/NĐ-CP on personal data): checking an identity needs the name, taking in a
 * dossier the applicant's particulars, social assistance the household too.
 */
export const PURPOSE_FIELDS: Readonly<Record<string, readonly CitizenField[]>> = {
  'identity-check': ['fullName'],
  'dossier-intake': ['fullName', 'dateOfBirth', 'gender', 'permanentAddress'],
  'social-assistance': ['fullName', 'dateOfBirth', 'gender', 'permanentAddress', 'household'],
};

const PERSONAL_ID = /^\d{12}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Two names are the same person's when equal after NFC, lower case (Vietnamese rules) and single spaces. */
export function sameName(a: string, b: string): boolean {
  const fold = (name: string) => name.normalize('NFC').trim().replace(/\s+/g, ' ').toLocaleLowerCase('vi');
  return fold(a) === fold(b);
}

export type PopulationDb = NationalProvider;

/** Starts the population database on 127.0.0.1 with `citizens` (default the fixture). */
export function startPopulationDb(options: ProviderOptions & { citizens?: readonly Citizen[] } = {}): Promise<PopulationDb> {
  const byId = new Map((options.citizens ?? CITIZENS).map((c) => [c.personalId, c]));
  return startProvider(options, (router) => {
    router.get('/citizens/:personalId', (req, res) => {
      const fields = allowedFields(req, res);
      if (!fields) return;
      const citizen = find(req.params.personalId ?? '', byId, res);
      if (citizen) res.json(view(citizen, fields, byId));
    });
    // A custom method in the path (AIP-136 style); the colon is literal, hence a regular expression.
    router.post(/^\/citizens:verify$/, (req, res) => {
      const fields = allowedFields(req, res);
      if (!fields) return;
      const claim = readClaim(bodyOf(req));
      if (typeof claim === 'string') return void res.status(400).json(errorBody('invalid-request', claim));
      const citizen = find(claim.personalId, byId, res);
      if (!citizen) return;
      const checks = { fullName: sameName(claim.fullName, citizen.fullName), dateOfBirth: claim.dateOfBirth === citizen.dateOfBirth };
      const match = checks.fullName && checks.dateOfBirth;
      res.json({
        personalId: citizen.personalId,
        match,
        fullName: checks.fullName ? 'match' : 'mismatch',
        dateOfBirth: checks.dateOfBirth ? 'match' : 'mismatch',
        ...(match ? { citizen: view(citizen, fields, byId) } : {}),
      });
    });
  });
}

/** The fields the call's purpose allows; answers 403 and gives undefined when there are none. */
function allowedFields(req: Request, res: Response): readonly CitizenField[] | undefined {
  const purpose = req.get(HUB_CALL_HEADERS.purpose);
  const fields = purpose !== undefined && Object.hasOwn(PURPOSE_FIELDS, purpose) ? PURPOSE_FIELDS[purpose] : undefined;
  if (fields) return fields;
  res
    .status(403)
    .json(
      errorBody(
        'purpose-not-allowed',
        purpose === undefined
          ? 'No X-LGSP-Purpose: the population database answers only for a stated purpose.'
          : `The purpose "${purpose}" gives access to no citizen data here: ask for one of the purposes listed.`,
        { purposes: Object.keys(PURPOSE_FIELDS) },
      ),
    );
  return undefined;
}

/** The citizen with `personalId`; answers 400 (malformed) or 404 (unknown) and gives undefined otherwise. */
function find(personalId: string, byId: ReadonlyMap<string, Citizen>, res: Response): Citizen | undefined {
  if (!PERSONAL_ID.test(personalId)) {
    res.status(400).json(errorBody('invalid-personal-id', `"${personalId}" is not a personal identification number (số định danh cá nhân): 12 digits.`));
    return undefined;
  }
  const citizen = byId.get(personalId);
  if (!citizen) res.status(404).json(errorBody('citizen-not-found', `No citizen with personal identification number ${personalId}.`));
  return citizen;
}

/** `{ personalId, fullName, dateOfBirth }` from the body, or what is wrong with it. */
function readClaim(body: Buffer): { personalId: string; fullName: string; dateOfBirth: string } | string {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    return 'The body is not JSON: send { "personalId", "fullName", "dateOfBirth" }.';
  }
  const { personalId, fullName, dateOfBirth } = (value ?? {}) as Record<string, unknown>;
  if (typeof personalId !== 'string' || typeof fullName !== 'string' || typeof dateOfBirth !== 'string') {
    return 'personalId, fullName and dateOfBirth are required strings.';
  }
  if (!DATE.test(dateOfBirth)) return `dateOfBirth "${dateOfBirth}" is not YYYY-MM-DD.`;
  return { personalId, fullName, dateOfBirth };
}

/** The citizen as the purpose may see it. */
function view(citizen: Citizen, fields: readonly CitizenField[], byId: ReadonlyMap<string, Citizen>): Record<string, unknown> {
  const household = HOUSEHOLDS.find((h) => h.code === citizen.household);
  const all: Record<CitizenField, unknown> = {
    fullName: citizen.fullName,
    dateOfBirth: citizen.dateOfBirth,
    gender: citizen.gender,
    permanentAddress: household?.address,
    household: {
      code: citizen.household,
      relationToHead: citizen.relationToHead,
      members: [...byId.values()]
        .filter((c) => c.household === citizen.household)
        .map((c) => ({ personalId: c.personalId, fullName: c.fullName, relationToHead: c.relationToHead })),
    },
  };
  return { personalId: citizen.personalId, ...Object.fromEntries(fields.map((f) => [f, all[f]])) };
}
