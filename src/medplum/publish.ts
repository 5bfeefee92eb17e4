/**
 * Job 2, publish-manifest: validates the manifest of a study and keeps one stored copy per study and flavour,
 * updated in place, plus an ImManifestDocumentReference-shaped DocumentReference that finds it.
 *
 * - The manifest is a `Bundle` (found by `Bundle.identifier`), or a `Binary` of application/fhir+json when its JSON
 *   is larger than the server accepts (MANIFEST_MAX_BYTES).
 * - The DocumentReference is found by its `urn:oid:<manifest UID>` identifier; `DocumentReference?related=
 *   ImagingStudy/<id>` finds one current DocumentReference per study and flavour, `?subject=Patient/<id>` a
 *   patient's manifests. Its attachment carries the SHA-1 of the manifest without its timestamp: an unchanged study
 *   writes nothing.
 * - An invalid manifest is not stored; its OperationOutcome is returned.
 * - Order of writes: manifest first, DocumentReference last, so a DocumentReference never points at a manifest
 *   that is not there.
 */
import { createHash } from 'node:crypto';
import type { MedplumClient } from '@medplum/core';
import type { Binary, Bundle, DocumentReference, Identifier, ImagingStudy, OperationOutcome } from '@medplum/fhirtypes';
import type { BuiltManifest } from '../manifest/build-manifest.ts';
import { deterministicUuid } from '../mapping/ids.ts';
import { IM } from '../profiles/canonicals.ts';
import type { Flavor } from '../profiles/profile-set.ts';
import { isValid, validateManifest } from '../validation/validate-manifest.ts';
import type { BotConfig } from './config.ts';
import { withRetry } from './retry.ts';
import { NO_CACHE, findUnique, saveResource, updateIfChanged } from './store.ts';

/** What publishing did. */
export interface PublishResult {
  outcome: OperationOutcome;
  stored: boolean;
  /** `Bundle/<id>` or `Binary/<id>` of the stored manifest. */
  manifestUrl?: string;
  documentReference?: DocumentReference & { id: string };
  writes: number;
}

const XDS_CLASS = 'ihe:urn:oid:1.3.6.1.4.1.19376.1.2.6.1'; // as the IG writes it
const FLAVOR_TAG_SYSTEM = 'https://medplum-imaging-manifest/flavor';

/**
 * The hash of a manifest's content, its timestamp left out (SHA-1, base64, as Attachment.hash).
 * @param bundle - The manifest.
 * @returns The hash.
 */
export function manifestHash(bundle: Bundle): string {
  const { timestamp: _t, ...rest } = bundle;
  return createHash('sha1').update(JSON.stringify(rest)).digest('base64');
}

function withoutId<T extends { id?: string }>(resource: T): T {
  const { id: _id, ...rest } = resource;
  return rest as T;
}

function documentIdentifier(manifestUid: string): Identifier {
  return { system: 'urn:ietf:rfc:3986', value: `urn:oid:${manifestUid}` };
}

function modalities(study: ImagingStudy): NonNullable<DocumentReference['context']>['event'] {
  return (study.modality ?? []).map((m) => ({ coding: [m] }));
}

function documentReferenceFor(
  study: ImagingStudy & { id: string },
  built: BuiltManifest,
  flavor: Flavor,
  attachmentUrl: string,
  hash: string,
  size: number
): DocumentReference {
  const event = modalities(study);
  return {
    resourceType: 'DocumentReference',
    meta: { profile: [`${IM}ImManifestDocumentReference`], tag: [{ system: FLAVOR_TAG_SYSTEM, code: flavor }] },
    extension: event?.map((valueCodeableConcept) => ({
      url: 'http://hl7.org/fhir/5.0/StructureDefinition/extension-DocumentReference.modality',
      valueCodeableConcept,
    })),
    masterIdentifier: documentIdentifier(built.manifestUid),
    // The manifest's UID is the masterIdentifier (MHD uniqueId), which the `identifier` search also covers; the
    // entry UUID is the one identifier of the profile's entry-uuid slice.
    identifier: [
      {
        use: 'official',
        system: 'urn:ietf:rfc:3986',
        value: `urn:uuid:${deterministicUuid('DocumentReference', built.manifestUid)}`,
      },
    ],
    status: 'current',
    type: { coding: [{ system: 'http://loinc.org', code: '18748-4', display: 'Diagnostic imaging study' }] },
    category: [{ coding: [{ system: XDS_CLASS, code: 'IMAGES' }] }],
    subject: study.subject,
    date: built.bundle.timestamp,
    description: `Imaging study manifest (${flavor === 'mado' ? 'IHE MADO' : 'HL7 Europe'})`,
    content: [
      {
        attachment: {
          contentType: 'application/fhir+json',
          url: attachmentUrl,
          hash,
          size,
          title: `${flavor === 'mado' ? 'MadoFhirBundle' : 'ImImagingStudyManifest'} ${built.manifestUid}`,
        },
        format: {
          system: 'urn:ietf:rfc:3986',
          code:
            flavor === 'mado'
              ? 'https://profiles.ihe.net/RAD/MADO/StructureDefinition/MadoFhirBundle'
              : `${IM}ImImagingStudyManifest`,
        },
      },
    ],
    context: {
      ...(event?.length ? { event } : {}),
      ...(study.started ? { period: { start: study.started } } : {}),
      related: [{ reference: `ImagingStudy/${study.id}` }],
    },
  };
}

async function storeBundle(medplum: MedplumClient, bundle: Bundle, deadline: number): Promise<string> {
  const { resource } = await saveResource(medplum, withoutId(bundle), bundle.identifier ?? {}, deadline);
  return `Bundle/${resource.id}`;
}

async function storeBinary(medplum: MedplumClient, json: string, deadline: number): Promise<string> {
  const binary: Binary = await withRetry(
    () => medplum.createBinary({ data: json, contentType: 'application/fhir+json' }),
    { deadline }
  );
  return `Binary/${binary.id ?? ''}`;
}

/**
 * Validates and stores the manifest of a study, with its DocumentReference.
 * @param medplum - The client.
 * @param study - The stored ImagingStudy the manifest describes.
 * @param built - The manifest.
 * @param config - The bot configuration.
 * @param deadline - Give up retrying after this time.
 * @returns What was stored, or the OperationOutcome of an invalid manifest.
 */
export async function publishManifest(
  medplum: MedplumClient,
  study: ImagingStudy & { id: string },
  built: BuiltManifest,
  config: BotConfig,
  deadline: number
): Promise<PublishResult> {
  const outcome = validateManifest(built.bundle, config.flavor);
  if (!isValid(outcome)) {
    return { outcome, stored: false, writes: 0 };
  }
  const hash = manifestHash(built.bundle);
  const identifier = documentIdentifier(built.manifestUid);
  const existing = await findUnique<DocumentReference>(medplum, 'DocumentReference', identifier, deadline);
  const current = existing?.content[0]?.attachment;
  if (existing?.status === 'current' && current?.hash === hash && current.url) {
    return {
      outcome,
      stored: true,
      manifestUrl: current.url,
      documentReference: existing,
      writes: 0,
    };
  }
  const json = JSON.stringify(built.bundle);
  const size = new TextEncoder().encode(json).length;
  const manifestUrl =
    size > config.maxManifestBytes
      ? await storeBinary(medplum, json, deadline)
      : await storeBundle(medplum, built.bundle, deadline);
  const desired = documentReferenceFor(study, built, config.flavor, manifestUrl, hash, size);
  const { resource: documentReference } = await saveResource(medplum, desired, identifier, deadline, {
    resource: existing,
  });
  const previous = current?.url;
  if (previous?.startsWith('Binary/') && previous !== manifestUrl) {
    await withRetry(() => medplum.deleteResource('Binary', previous.slice('Binary/'.length)), { deadline }).catch(
      () => undefined
    );
  }
  return { outcome, stored: true, manifestUrl, documentReference, writes: 2 };
}

/**
 * Marks the DocumentReferences of a deleted or entered-in-error study as entered-in-error.
 * @param medplum - The client.
 * @param studyId - The ImagingStudy id.
 * @param deadline - Give up retrying after this time.
 * @returns How many DocumentReferences were changed.
 */
export async function retireManifests(medplum: MedplumClient, studyId: string, deadline: number): Promise<number> {
  const docs = await withRetry(
    () => medplum.searchResources('DocumentReference', { related: `ImagingStudy/${studyId}` }, NO_CACHE),
    { deadline }
  );
  let changed = 0;
  for (const doc of docs) {
    const { written } = await updateIfChanged(
      medplum,
      doc,
      (cur) => ({ ...cur, status: 'entered-in-error' }),
      deadline
    );
    changed += written ? 1 : 0;
  }
  return changed;
}
