/**
 * The language of sending rights (SPEC §1 "Sending rights", docs/policies.md): per message type,
 * who may send it (`from`) and to whom (`to`). Declared once, as the schema the policies API
 * validates and documents; the registry stores a rule as it was accepted.
 *
 * `from`: every condition given must hold (`{}`: any connector). `to`: each agency the message's
 * `to` names or selects must be allowed by one entry; a message without `to` (for subscribers, or a
 * reply to the original's sender) is not limited by `to`.
 */
import { Type, type Static } from '@sinclair/typebox';

/** Recipient scopes besides plain agency codes; what each allows is `recipientAllowed` in `evaluate.ts`. */
export const RECIPIENT_SCOPES = {
  directory: 'any agency of the directory',
  national: 'the national node (the portal)',
  subtree: "the agencies under the sender's agency",
  dossier:
    "the case's agencies: those that sent or were addressed by earlier messages of the type's family about the same subject, and the fromAgency/toAgency the message names",
  'original-sender': 'the sender of the message the reply answers (correlationid)',
} as const;
export type RecipientScope = keyof typeof RECIPIENT_SCOPES;

const AGENCY_CODE = '^\\d{3}\\.\\d{2}\\.\\d{2}\\.[A-Z]\\d{2}$';
const names = (description: string) =>
  Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: 1000, uniqueItems: true, description }));

export const SendingRuleSchema = Type.Object(
  {
    from: Type.Object(
      {
        connectors: names('Only these connector ids.'),
        kinds: names('Only connectors of these kinds (webhook, edxml, dvcqg, vdxp...).'),
        levels: names('Only connectors whose agency has one of these levels (central, province, district, commune, unit).'),
        roles: Type.Optional(
          Type.Array(Type.Literal('one-stop'), { uniqueItems: true, description: 'Only connectors whose manifest has one of these roles.' }),
        ),
        registers: Type.Optional(
          Type.Record(Type.String({ minLength: 1, maxLength: 200 }), Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { uniqueItems: true }), {
            description:
              "Records: data.register → the connector ids registered as that record set's source. A register not listed has no source: nobody may send it.",
          }),
        ),
        answersOriginal: Type.Optional(
          Type.Boolean({ description: 'True: the message must answer (correlationid) a message the hub routed to the sender (statuses).' }),
        ),
      },
      { additionalProperties: false, description: 'Who may send: every condition given must hold; {} is any connector.' },
    ),
    to: Type.Array(
      Type.Union([
        Type.Union(
          Object.keys(RECIPIENT_SCOPES).map((s) => Type.Literal(s as RecipientScope)),
          {
            description: Object.entries(RECIPIENT_SCOPES)
              .map(([k, v]) => `${k}: ${v}`)
              .join('; '),
          },
        ),
        Type.String({ pattern: AGENCY_CODE, description: 'That agency.' }),
      ]),
      {
        maxItems: 1000,
        uniqueItems: true,
        description:
          'To whom: each agency the message addresses must be allowed by one entry. Unaddressed messages (subscribers, replies) are not limited here.',
      },
    ),
    note: Type.Optional(Type.String({ maxLength: 2000, description: "The operator's reason for the rule, shown with it." })),
  },
  { additionalProperties: false },
);

export type SendingRule = Static<typeof SendingRuleSchema>;
export type SenderConditions = SendingRule['from'];

/** A rule as the registry keeps it (`policy/<type>`): who set it, when. */
export interface StoredPolicy {
  readonly type: string;
  readonly rule: SendingRule;
  readonly updatedAt: string;
  readonly updatedBy: string;
}
