/**
 * A simulated national business registration database ("Cơ sở dữ liệu quốc gia về đăng ký doanh
 * nghiệp") as a provider of a data-sharing service behind the hub (docs/simulators.md):
 * `GET /enterprises/{enterpriseCode}` → the enterprise or branch: name, English name, type,
 * status (`{ code, name }`, the name as the portal words it), registered address, legal
 * representative, first registration date, and the parent's code for a branch. What it answers is
 * public registration information, so every purpose gets all of it. A code that is not 10 digits
 * with a valid check digit, optionally followed by '-' and a branch number, is `400`; one not
 * registered is `404`. Signature checks, recording and faults: `provider.ts`.
 */
import { ENTERPRISES, ENTERPRISE_STATUSES, type Enterprise } from './enterprises.ts';
import { errorBody, startProvider, type NationalProvider, type ProviderOptions } from './provider.ts';

const ENTERPRISE_CODE = /^(\d{10})(?:-(\d{3}))?$/;
/** The weights of the tax code's check digit (the tax authority's rule, as python-stdnum `vn.mst` has it). */
const CHECK_WEIGHTS = [31, 29, 23, 19, 17, 13, 7, 5, 3] as const;

/** Whether `code` is a well-formed enterprise or branch code: its check digit right, a branch number not 000. */
export function isEnterpriseCode(code: string): boolean {
  const parts = ENTERPRISE_CODE.exec(code);
  if (!parts?.[1] || parts[2] === '000') return false;
  const digits = [...parts[1]].map(Number);
  const sum = CHECK_WEIGHTS.reduce((total, weight, i) => total + weight * digits[i]!, 0);
  return 10 - (sum % 11) === digits[9];
}

export type BusinessRegistry = NationalProvider;

/** Starts the business registration database on 127.0.0.1 with `enterprises` (default the fixture). */
export function startBusinessRegistry(options: ProviderOptions & { enterprises?: readonly Enterprise[] } = {}): Promise<BusinessRegistry> {
  const byCode = new Map((options.enterprises ?? ENTERPRISES).map((e) => [e.enterpriseCode, e]));
  return startProvider(options, (router) => {
    router.get('/enterprises/:enterpriseCode', (req, res) => {
      const code = req.params.enterpriseCode ?? '';
      if (!isEnterpriseCode(code)) {
        return void res
          .status(400)
          .json(
            errorBody(
              'invalid-enterprise-code',
              `"${code}" is not an enterprise code (mã số doanh nghiệp): 10 digits with a valid check digit, or 10 + '-' + 3 for a branch.`,
            ),
          );
      }
      const enterprise = byCode.get(code);
      if (!enterprise) return void res.status(404).json(errorBody('enterprise-not-found', `No enterprise registered with code ${code}.`));
      res.json({ ...enterprise, status: { code: enterprise.status, name: ENTERPRISE_STATUSES[enterprise.status] } });
    });
  });
}
