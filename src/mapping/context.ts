/**
 * What every mapping function receives: the study, the options and the flavour's profile set.
 */
import type { Reference, Resource } from '@medplum/fhirtypes';
import type { StudyModel } from '../dicom/study-model.ts';
import type { ProfileSet } from '../profiles/profile-set.ts';

/** Options that configure the mapping (CLI flags, bot secrets). */
export interface MappingOptions {
  /** DICOMweb (WADO-RS) base URL; else the RetrieveURL in the data. */
  dicomwebBase?: string;
  /** Viewer launch URL template with {studyInstanceUid}, {accessionNumber}, {patientId}. */
  viewerUrlTemplate?: string;
  /** System of a patient identifier that has no issuer in DICOM. */
  patientIdSystem?: string;
  /** System of an accession number that has no issuer in DICOM. */
  accessionSystem?: string;
  /** Zone for DICOM times without TimezoneOffsetFromUTC: IANA name or ±HH:MM. */
  timezone: string;
  /** Manifest creation time (Bundle.timestamp, Composition.date); default now. */
  now?: Date;
}

/** The documented default system of an accession number without an issuer (ImAccessionNumberIdentifier needs one). */
export const DEFAULT_ACCESSION_SYSTEM = 'urn:dicom:accession-number';

/** Prefix of the system URI of a local issuer (IssuerOfPatientID without a universal entity id). */
export const LOCAL_ISSUER_PREFIX = 'urn:dicom:issuer:';

/** The state of one study's mapping. */
export interface MappingContext {
  study: StudyModel;
  options: MappingOptions;
  profiles: ProfileSet;
  /** Findings (no PHI) to report with the manifest. */
  warnings: string[];
}

/** A resource with its Bundle fullUrl. */
export interface Entry<T extends Resource = Resource> {
  fullUrl: string;
  resource: T;
}

/**
 * Wraps a resource with its `urn:uuid:` fullUrl (its id is the UUID).
 * @param resource - A resource with an id.
 * @returns The entry.
 */
export function entry<T extends Resource>(resource: T & { id: string }): Entry<T> {
  return { fullUrl: `urn:uuid:${resource.id}`, resource };
}

/**
 * A reference to an entry by its fullUrl, with the target type.
 * @param target - The entry.
 * @returns The reference.
 */
export function ref<T extends Resource>(target: Entry<T>): Reference<T> {
  return { reference: target.fullUrl, type: target.resource.resourceType };
}
