/**
 * Bot event → library. Each bot in bots/ is one line that calls one of these. They set the time budget, read the
 * configuration from the secrets, recognise delete events, and log resource ids and reasons only.
 */
import { badRequest, notFound, OperationOutcomeError, type BotEvent, type MedplumClient } from '@medplum/core';
import type { Bundle, ImagingStudy, OperationOutcome, Reference, Resource } from '@medplum/fhirtypes';
import { isValid, validateManifest } from '../validation/validate-manifest.ts';
import { configFromSecrets } from './config.ts';
import { enrichImagingStudy } from './enrich.ts';
import { ingest, instancesOfInput, recentlyIngestedStudies, syncStudies, type IngestResult } from './ingest.ts';
import { consoleLogger, redact, type Logger } from './log.ts';
import { publishManifest, retireManifests, type PublishResult } from './publish.ts';
import { statusOf } from './retry.ts';
import { NO_CACHE } from './store.ts';
import { manifestOfStoredStudy } from './study-source.ts';

/** Default time budget of a bot run: Medplum's vmcontext bots time out after 10 s. */
const DEFAULT_BUDGET_MS = 8_000;

type Ensured<T> = T & { id: string };

function deadlineOf(event: BotEvent): number {
  const budget = Number(
    event.secrets.BOT_TIME_BUDGET_MS?.valueString ?? event.secrets.BOT_TIME_BUDGET_MS?.valueInteger
  );
  return Date.now() + (Number.isFinite(budget) && budget > 0 ? budget : DEFAULT_BUDGET_MS);
}

function header(event: BotEvent, name: string): string | undefined {
  const headers = event.headers ?? {};
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name.toLowerCase());
  const value = key ? headers[key] : undefined;
  return Array.isArray(value) ? value[0] : value;
}

/** The deleted resource of a delete event, or undefined. */
function deletedResource(event: BotEvent): Resource | undefined {
  const input = event.input as { deletedResource?: Resource } | undefined;
  if (input?.deletedResource) {
    return input.deletedResource;
  }
  return header(event, 'X-Medplum-Interaction') === 'delete' ? (event.input as Resource) : undefined;
}

/** The study an operation or $execute names; 404 when there is none. */
async function requireStudy(medplum: MedplumClient, input: unknown): Promise<Ensured<ImagingStudy>> {
  const study = await readStudy(medplum, input);
  if (!study) {
    throw new OperationOutcomeError(notFound);
  }
  return study;
}

async function readStudy(medplum: MedplumClient, input: unknown): Promise<Ensured<ImagingStudy> | undefined> {
  const ref = input as (Resource | Reference) & { id?: string; reference?: string };
  const id =
    'resourceType' in ref && ref.resourceType === 'ImagingStudy'
      ? ref.id
      : ref.reference?.replace(/^ImagingStudy\//, '');
  if (!id) {
    throw new OperationOutcomeError(badRequest('input is not an ImagingStudy or a reference to one'));
  }
  try {
    return await medplum.readResource('ImagingStudy', id, NO_CACHE);
  } catch (err) {
    const status = statusOf(err);
    if (status === 404 || status === 410) {
      return undefined;
    }
    throw err;
  }
}

function fail(log: Logger, what: string, err: unknown): never {
  log.error(`${what}: ${redact(err instanceof Error ? err.message : String(err))}`);
  throw err;
}

/** What the ImagingStudy subscription bot returns. */
export interface ImagingStudyEventResult {
  action: 'published' | 'invalid' | 'retired';
  imagingStudy: string;
  publish?: PublishResult;
  outcome?: OperationOutcome;
}

/**
 * Jobs 1 + 2 on an ImagingStudy create/update/delete: enrich, then publish; a deleted or entered-in-error study
 * retires its manifests' DocumentReferences.
 * @param medplum - The client.
 * @param event - The Subscription's bot event.
 * @param log - Where to log (the bot console).
 * @returns What was done.
 */
export async function onImagingStudyEvent(
  medplum: MedplumClient,
  event: BotEvent,
  log: Logger = consoleLogger
): Promise<ImagingStudyEventResult> {
  const deadline = deadlineOf(event);
  const deleted = deletedResource(event);
  const study = deleted ? undefined : await readStudy(medplum, event.input);
  const id = deleted?.id ?? study?.id ?? (event.input as Resource).id ?? '';
  if (!study || study.status === 'entered-in-error') {
    const n = await retireManifests(medplum, id, deadline);
    log.info(
      `ImagingStudy/${id}: ${deleted ? 'deleted' : 'gone or entered-in-error'}; ${n} DocumentReference(s) set to entered-in-error`
    );
    return { action: 'retired', imagingStudy: `ImagingStudy/${id}` };
  }
  try {
    const config = configFromSecrets(event.secrets);
    const enriched = await enrichImagingStudy(medplum, study, config, deadline);
    const publish = await publishManifest(medplum, enriched.imagingStudy, enriched.manifest, config, deadline);
    if (!publish.stored) {
      const errors = (publish.outcome.issue ?? []).filter((i) => i.severity === 'error' || i.severity === 'fatal');
      log.error(
        `ImagingStudy/${id}: manifest invalid (${errors.length} errors), not stored: ${errors.map((e) => e.expression?.[0] ?? '').join(', ')}`
      );
      return { action: 'invalid', imagingStudy: `ImagingStudy/${id}`, outcome: publish.outcome };
    }
    log.info(
      `ImagingStudy/${id}: ${enriched.writes ? 'enriched' : 'already enriched'}; manifest ${publish.manifestUrl ?? ''} ` +
        `${publish.writes ? 'stored' : 'unchanged'}, DocumentReference/${publish.documentReference?.id ?? ''}`
    );
    return { action: 'published', imagingStudy: `ImagingStudy/${id}`, publish };
  } catch (err) {
    return fail(log, `ImagingStudy/${id}: enrichment failed`, err);
  }
}

/**
 * Job 2 alone ($execute with an ImagingStudy or a reference to one): builds, validates and stores the manifest.
 * @param medplum - The client.
 * @param event - The bot event.
 * @param log - Where to log.
 * @returns The publish result.
 */
export async function onPublishRequest(
  medplum: MedplumClient,
  event: BotEvent,
  log: Logger = consoleLogger
): Promise<PublishResult> {
  const deadline = deadlineOf(event);
  const study = await requireStudy(medplum, event.input);
  try {
    const config = configFromSecrets(event.secrets);
    const { built } = await manifestOfStoredStudy(medplum, study, config, deadline);
    const result = await publishManifest(medplum, study, built, config, deadline);
    log.info(
      `ImagingStudy/${study.id}: manifest ${result.stored ? `stored at ${result.manifestUrl ?? ''}` : 'invalid, not stored'}`
    );
    return result;
  } catch (err) {
    return fail(log, `ImagingStudy/${study.id}: publication failed`, err);
  }
}

/**
 * Job 3, `ImagingStudy/{id}/$generate-fhir-manifest`: the validated manifest, built as the stored one is, without
 * storing anything.
 * @param medplum - The client.
 * @param event - The operation's bot event (input: the ImagingStudy the server read).
 * @param log - Where to log.
 * @returns The manifest Bundle.
 * @throws OperationOutcomeError 404 for an unknown study, 400 when the manifest would be invalid.
 */
export async function onGenerateManifest(
  medplum: MedplumClient,
  event: BotEvent,
  log: Logger = consoleLogger
): Promise<Bundle> {
  const deadline = deadlineOf(event);
  const study = await requireStudy(medplum, event.input);
  const config = configFromSecrets(event.secrets);
  const { built } = await manifestOfStoredStudy(medplum, study, config, deadline);
  const outcome = validateManifest(built.bundle, config.flavor);
  if (!isValid(outcome)) {
    log.error(`ImagingStudy/${study.id}: generated manifest is invalid`);
    throw new OperationOutcomeError(outcome);
  }
  log.info(`ImagingStudy/${study.id}: manifest generated`);
  return built.bundle;
}

/**
 * Job 4, ingest-dicom: DICOM in (Agent notification, DICOM JSON, Part-10 Binary); with no input (the bot's
 * schedule) or `{ "sync": true }`, folds recently accumulated instances into their ImagingStudies.
 * @param medplum - The client.
 * @param event - The bot event.
 * @param log - Where to log.
 * @returns What was ingested.
 */
export async function onIngest(
  medplum: MedplumClient,
  event: BotEvent,
  log: Logger = consoleLogger
): Promise<IngestResult> {
  const deadline = deadlineOf(event);
  const config = configFromSecrets(event.secrets);
  const input = event.input as { sync?: boolean; since?: string } | string | undefined;
  // A scheduled (cron) run comes without input, or with an empty one.
  const scheduled = !input || (typeof input === 'object' && (Object.keys(input).length === 0 || 'sync' in input));
  try {
    if (scheduled) {
      const since =
        (typeof input === 'object' ? input.since : undefined) ?? new Date(Date.now() - 15 * 60_000).toISOString();
      const studies = await recentlyIngestedStudies(medplum, since);
      const updated = await syncStudies(medplum, studies, config, deadline);
      log.info(`sync: ${studies.length} ImagingStudies checked, ${updated.length} updated`);
      return { instances: 0, studies: updated };
    }
    const result = await ingest(medplum, await instancesOfInput(medplum, event.input), config, deadline);
    log.info(
      `ingested ${result.instances} instance(s) into ${result.studies.map((s) => `ImagingStudy/${s}`).join(', ')}`
    );
    return result;
  } catch (err) {
    return fail(log, 'ingest failed', err);
  }
}
