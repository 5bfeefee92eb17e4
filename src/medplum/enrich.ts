/**
 * Job 1, enrich-imaging-study: makes sure the Endpoint(s), Device(s), ServiceRequest, Practitioner(s) and, for a
 * study without subject, the Patient exist once per identity, and links them from the ImagingStudy.
 *
 * The manifest builder decides what these resources are (so the store and the manifest never disagree); this
 * module stores them: Patient by its DICOM identifier, ServiceRequest by its accession identifier, Endpoint,
 * Device and Practitioner by their manifest identity (`urn:ietf:rfc:3986` / `urn:uuid:<name-based UUID>`, so a
 * device is stored once across all studies). On a study the server derives itself (tag
 * `https://medplum.com/dicom|derived-from-dicom`) only the fields the server leaves to us are written.
 */
import type { MedplumClient } from '@medplum/core';
import type { Identifier, ImagingStudy, Reference, Resource } from '@medplum/fhirtypes';
import type { BuiltManifest } from '../manifest/build-manifest.ts';
import type { BotConfig } from './config.ts';
import { rewriteReferences } from './references.ts';
import { ensureResource, updateIfChanged } from './store.ts';
import { manifestOfStoredStudy, type LoadedStudy } from './study-source.ts';

/** Tag Medplum puts on ImagingStudies it derives from its DICOM store. */
export const DERIVED_TAG = { system: 'https://medplum.com/dicom', code: 'derived-from-dicom' };

/** ImagingStudy fields a DICOM-deriving server owns and rewrites on each recompute. */
export const SERVER_OWNED_FIELDS = [
  'identifier',
  'status',
  'modality',
  'started',
  'endpoint',
  'numberOfSeries',
  'numberOfInstances',
  'series',
] as const;

/** ImagingStudy fields enrichment writes on a study it owns. */
const OWN_FIELDS = [...SERVER_OWNED_FIELDS, 'basedOn', 'referrer', 'procedureCode', 'description'] as const;

/** The outcome of enrichment. */
export interface EnrichResult {
  imagingStudy: ImagingStudy & { id: string };
  manifest: BuiltManifest;
  loaded: LoadedStudy;
  /** How many resources this run created or changed. */
  writes: number;
}

/** The identifier a stored copy of a manifest resource is found by. */
export function manifestIdentity(fullUrl: string): Identifier {
  return { system: 'urn:ietf:rfc:3986', value: fullUrl };
}

/**
 * @param study - An ImagingStudy.
 * @returns Whether the server derived it from its DICOM store.
 */
export function isServerDerived(study: ImagingStudy): boolean {
  return !!study.meta?.tag?.some((t) => t.system === DERIVED_TAG.system && t.code === DERIVED_TAG.code);
}

/**
 * Stores the manifest resources the ImagingStudy links to, once per identity.
 * @param medplum - The client.
 * @param manifest - The built manifest.
 * @param study - The stored study (its subject, when it has one, stands for the manifest's Patient).
 * @param deadline - Give up retrying after this time.
 * @param types - The resource types to store, in this order (references between them are rewritten).
 * @returns Manifest fullUrl → stored reference.
 */
export async function storeLinked(
  medplum: MedplumClient,
  manifest: BuiltManifest,
  study: Partial<Pick<ImagingStudy, 'subject'>>,
  deadline: number,
  types: readonly string[] = ['Patient', 'ServiceRequest', 'Endpoint', 'Device', 'Practitioner']
): Promise<Map<string, Reference>> {
  const refs = new Map<string, Reference>();
  const entries = manifest.bundle.entry ?? [];
  const ordered = types;
  const referenced = JSON.stringify(entries.find((e) => e.resource?.resourceType === 'ImagingStudy'));
  for (const type of ordered) {
    for (const e of entries) {
      const r = e.resource;
      const fullUrl = e.fullUrl ?? '';
      // Only what the ImagingStudy links to is stored (not MADO's creator Device, Organization, Composition).
      if (r?.resourceType !== type || !referenced.includes(`"${fullUrl}"`)) {
        continue;
      }
      if (type === 'Patient' && study.subject?.reference) {
        refs.set(fullUrl, { reference: study.subject.reference });
        continue;
      }
      const { id: _id, ...body } = rewriteReferences(r, refs) as Resource & { identifier?: Identifier[] };
      let identity: Identifier;
      if ((type === 'Patient' || type === 'ServiceRequest') && body.identifier?.[0]) {
        identity = body.identifier[0];
      } else {
        identity = manifestIdentity(fullUrl);
        body.identifier = [...(body.identifier ?? []), identity];
      }
      const stored = await ensureResource(medplum, body, identity, deadline);
      refs.set(fullUrl, { reference: `${type}/${stored.id}` });
    }
  }
  return refs;
}

/**
 * Enriches one stored ImagingStudy.
 * @param medplum - The client.
 * @param study - The ImagingStudy as stored (with id).
 * @param config - The bot configuration.
 * @param deadline - Give up retrying after this time (ms since epoch).
 * @param source - Where the DICOM metadata comes from (see loadStudyModel).
 * @returns The updated study, the manifest built on the way and what was written.
 */
export async function enrichImagingStudy(
  medplum: MedplumClient,
  study: ImagingStudy & { id: string },
  config: BotConfig,
  deadline: number,
  source: 'auto' | 'medplum-dicom' = 'auto'
): Promise<EnrichResult> {
  const { loaded, built: manifest } = await manifestOfStoredStudy(medplum, study, config, deadline, source);
  const refs = await storeLinked(medplum, manifest, study, deadline);
  const fromManifest = rewriteReferences(
    manifest.bundle.entry?.find((e) => e.resource?.resourceType === 'ImagingStudy')?.resource as ImagingStudy,
    refs
  );
  const derived = isServerDerived(study);
  const fields: readonly string[] = derived ? ['basedOn', 'referrer', 'procedureCode'] : OWN_FIELDS;
  const { resource, written } = await updateIfChanged(
    medplum,
    study,
    (current) => {
      const next = { ...current } as unknown as Record<string, unknown>;
      for (const f of fields) {
        const value = (fromManifest as unknown as Record<string, unknown>)[f];
        if (value !== undefined) {
          next[f] = value;
        }
      }
      // Identifiers others added (e.g. an RIS id) are kept next to the DICOM ones.
      const ours = new Set(fromManifest.identifier?.map((i) => `${i.system ?? ''}|${i.value ?? ''}`));
      const others = (current.identifier ?? []).filter(
        (i) => !ours.has(`${i.system ?? ''}|${i.value ?? ''}`) && i.system !== 'urn:dicom:uid'
      );
      if (!derived && others.length) {
        next.identifier = [...(fromManifest.identifier ?? []), ...others];
      }
      if (!current.subject?.reference) {
        next.subject = fromManifest.subject;
      }
      return next as unknown as ImagingStudy & { id: string };
    },
    deadline
  );
  return { imagingStudy: resource, manifest, loaded, writes: written ? 1 : 0 };
}
