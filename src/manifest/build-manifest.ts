/**
 * Builds the manifest Bundle of one study: ImImagingStudyManifest (`eu`, a `collection`) or MadoFhirBundle
 * (`mado`, a `document` with its Composition). One builder; the flavour's profile set supplies what differs.
 *
 * Every entry has a `urn:uuid:` fullUrl (a name-based UUID from DICOM identifiers, so the same study always gives
 * the same ids) and every reference points at one of them. Bundle.identifier is `urn:oid:<UID>` with the UID
 * derived from the StudyInstanceUID and the flavour.
 */
import type { Bundle, BundleEntry } from '@medplum/fhirtypes';
import type { StudyModel } from '../dicom/study-model.ts';
import type { Entry, MappingContext, MappingOptions } from '../mapping/context.ts';
import { mapDevices } from '../mapping/device.ts';
import { mapViewerEndpoint, mapWadoEndpoint } from '../mapping/endpoints.ts';
import { deterministicUuid, uuidToUid } from '../mapping/ids.ts';
import { mapImagingStudy } from '../mapping/imaging-study.ts';
import { mapOrder } from '../mapping/order.ts';
import { mapPatient } from '../mapping/patient.ts';
import { profileSet, type Flavor } from '../profiles/profile-set.ts';
import { mapMadoDocument } from './mado-document.ts';

/** A built (not yet validated) manifest. */
export interface BuiltManifest {
  bundle: Bundle;
  /** The manifest's own UID (Bundle.identifier value without `urn:oid:`). */
  manifestUid: string;
  warnings: string[];
}

/**
 * The manifest UID of a study and flavour.
 * @param studyInstanceUid - The study.
 * @param flavor - The flavour.
 * @returns A `2.25.` UID.
 */
export function manifestUidOf(studyInstanceUid: string, flavor: Flavor): string {
  return uuidToUid(deterministicUuid('Manifest', flavor, studyInstanceUid));
}

/**
 * Builds the manifest of one study.
 * @param study - The study model.
 * @param flavor - `eu` or `mado`.
 * @param options - Mapping options.
 * @returns The Bundle with its warnings.
 * @throws MappingError when DICOM and options cannot give what the flavour requires.
 */
export function buildManifest(study: StudyModel, flavor: Flavor, options: MappingOptions): BuiltManifest {
  const ctx: MappingContext = { study, options, profiles: profileSet(flavor), warnings: [...study.warnings] };
  const timestamp = (options.now ?? new Date()).toISOString();
  const manifestUid = manifestUidOf(study.studyInstanceUid, flavor);
  const patient = mapPatient(ctx);
  const order = mapOrder(ctx, patient);
  const wadoEndpoint = mapWadoEndpoint(ctx);
  const viewerEndpoint = mapViewerEndpoint(ctx);
  const devices = mapDevices(ctx);
  const { imagingStudy, practitioners } = mapImagingStudy(ctx, {
    patient,
    order,
    wadoEndpoint,
    viewerEndpoint,
    devices,
  });
  const mado = flavor === 'mado' ? mapMadoDocument(ctx, imagingStudy, patient, manifestUid, timestamp) : undefined;
  const entries: (Entry | undefined)[] = [
    mado?.composition,
    imagingStudy,
    patient,
    order,
    wadoEndpoint,
    viewerEndpoint,
    ...devices.values(),
    ...practitioners,
    mado?.creator,
    mado?.organization,
  ];
  const bundle: Bundle = {
    resourceType: 'Bundle',
    id: deterministicUuid('Bundle', flavor, study.studyInstanceUid),
    meta: { profile: [ctx.profiles.profiles.bundle] },
    identifier: { system: 'urn:dicom:uid', value: `urn:oid:${manifestUid}` },
    type: ctx.profiles.bundleType,
    timestamp,
    entry: entries
      .filter((e): e is Entry => e !== undefined)
      .map((e): BundleEntry => ({ fullUrl: e.fullUrl, resource: e.resource })),
  };
  return { bundle, manifestUid, warnings: [...new Set(ctx.warnings)] };
}
