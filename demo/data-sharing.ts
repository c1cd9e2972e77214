/**
 * The demo's data-sharing service: the national population database ("Cơ sở dữ liệu quốc gia về
 * dân cư", simulated by `simulators/national/population-db.ts`) offered through the hub, and the
 * one-stop-shop of phường Bãi Cháy checking an applicant against it before it accepts a dossier,
 * instead of asking for a photocopy of the ID card (docs/demo.md, step 2).
 *
 * The provider connector belongs to the Ministry of Public Security (Bộ Công an, 000.00.00.G01),
 * which keeps the database.
 */
import { signingKeyOf } from '../connectors/kit/signature.ts';
import { startPopulationDb, type PopulationDb } from '../simulators/national/population-db.ts';
import type { HubApi } from './hub-api.ts';
import type { Narrator } from './narrator.ts';
import { AGENCY, DELIVERY } from './province.ts';

export const POPULATION = {
  connector: 'csdlqg-dan-cu',
  agency: AGENCY.publicSecurity,
  service: 'population-lookup',
  label: 'Cơ sở dữ liệu quốc gia về dân cư',
  /** The grant's purpose, sent as X-LGSP-Purpose: taking in a dossier. */
  purpose: 'dossier-intake',
  consumer: 'qn-baichay-motcua',
  /** The one-stop officer at the desk ("công chức bộ phận một cửa") and her id, sent as X-LGSP-Officer. */
  officer: { id: 'CB-BC-0007', name: 'Nguyễn Thu Trang' },
} as const;

/** The applicant's date of birth as written on her application form (the dossier message does not carry it). */
export const APPLICANT_BIRTH_DATE = '1990-05-17';

/** Registers the provider connector, then starts the simulated database checking the hub's signature with its key. */
export async function startPopulationProvider(hub: HubApi, narrator: Narrator): Promise<PopulationDb> {
  const token = await hub.registerConnector({
    id: POPULATION.connector,
    agency: POPULATION.agency,
    kind: 'webhook',
    description: `${POPULATION.label} (Bộ Công an), reached through the national data exchange platform: provider of ${POPULATION.service}`,
    subscriptions: [],
    delivery: { ...DELIVERY, signatureVersions: ['v2'] },
  });
  const db = await startPopulationDb({ signingKey: signingKeyOf(token) });
  narrator.note(
    'registered',
    `${POPULATION.connector.padEnd(20)} ${'webhook'.padEnd(8)} ${POPULATION.label}, provider for ${narrator.name(POPULATION.agency)} at ${db.url}`,
  );
  return db;
}

/** Offers the lookup in the catalogue and grants it to the commune's one-stop-shop for dossier intake. */
export async function offerPopulationLookup(hub: HubApi, db: PopulationDb, narrator: Narrator): Promise<void> {
  await hub.registerService({
    id: POPULATION.service,
    provider: POPULATION.connector,
    endpoint: db.url,
    title: 'Tra cứu, xác thực thông tin công dân (population database lookup)',
    description: 'GET /citizens/{personalId}; POST /citizens:verify { personalId, fullName, dateOfBirth }. Fields answered by purpose: docs/simulators.md.',
    version: '1.0.0',
    classification: 'personal',
    timeoutMs: 3_000,
  });
  narrator.note('catalogue', `${POPULATION.service} 1.0.0 (personal data) of ${POPULATION.connector}, endpoint ${db.url}: POST /v1/services`);
  await hub.grant(POPULATION.service, {
    consumer: POPULATION.consumer,
    purpose: POPULATION.purpose,
    quota: 60,
    note: 'Tiếp nhận hồ sơ thủ tục hành chính: xác thực thông tin người nộp hồ sơ',
  });
  narrator.note(
    'granted',
    `${POPULATION.consumer} may call ${POPULATION.service} for ${POPULATION.purpose}, 60 calls a minute: POST /v1/services/${POPULATION.service}/grants`,
  );
}
