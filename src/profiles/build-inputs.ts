/**
 * What the build prepares for validation: the profiles to snapshot and the core resource types whose base
 * definitions are kept (a manifest, its DocumentReference, and what a server answers with).
 */
import { IM, MADO } from './canonicals.ts';

/** Resource types whose R4 base definitions validation loads up front; others are loaded on first use. */
export const RESOURCE_TYPES: readonly string[] = [
  'Binary',
  'Bundle',
  'Composition',
  'Device',
  'DocumentReference',
  'Endpoint',
  'ImagingStudy',
  'OperationOutcome',
  'Organization',
  'Parameters',
  'Patient',
  'Practitioner',
  'PractitionerRole',
  'ServiceRequest',
];

/** Canonical URLs of the profiles the validator needs snapshots for. */
export const PROFILE_URLS: readonly string[] = [
  'http://hl7.org/fhir/StructureDefinition/patient-birthTime',
  'http://hl7.org/fhir/StructureDefinition/data-absent-reason',
  `${IM}ImImagingStudyManifest`,
  `${IM}ImImagingStudy`,
  `${IM}ImPatient`,
  `${IM}ImOrder`,
  `${IM}ImImagingDevice`,
  `${IM}ImWadoRsEndpoint`,
  `${IM}ImIheIidViewerEndpoint`,
  `${IM}ImXcWadoEndpoint`,
  `${IM}ImImageViewerEndpoint`,
  `${IM}im-accession-number-identifier`,
  `${IM}im-study-instance-uid-identifier`,
  `${IM}im-study-id-identifier`,
  `${IM}im-sop-instance-uid-identifier`,
  `${IM}instance-description`,
  `${IM}ImManifestDocumentReference`,
  `${IM}IheMhdEntryUUIDIdentifier`,
  'http://hl7.org/fhir/5.0/StructureDefinition/extension-Device.category',
  'http://hl7.org/fhir/5.0/StructureDefinition/extension-ServiceRequest.reason',
  'http://hl7.org/fhir/5.0/StructureDefinition/extension-ServiceRequest.supportingInfo',
  'http://hl7.org/fhir/5.0/StructureDefinition/extension-DocumentReference.modality',
  'http://hl7.org/fhir/5.0/StructureDefinition/extension-DocumentReference.practiceSetting',
  'http://hl7.org/fhir/5.0/StructureDefinition/extension-DocumentReference.bodySite',
  `${MADO}MadoFhirBundle`,
  `${MADO}MadoComposition`,
  `${MADO}MadoImagingStudy`,
  `${MADO}MadoPatient`,
  `${MADO}MadoRequestedProcedure`,
  `${MADO}MadoCreator`,
  `${MADO}MadoCreatorOrganization`,
  `${MADO}MadoWadoEndpoint`,
  `${MADO}MadoWebViewerEndpoint`,
  `${MADO}MadoAccessionNumberIdentifier`,
  `${MADO}MadoStudyInstanceUidIdentifier`,
  `${MADO}MadoReferencedAccessionNumberIdentifier`,
  `${MADO}MadoReferencedStudyInstanceUidIdentifier`,
  `${MADO}MadoAnatomicalRegionExtension`,
  `${MADO}MadoNumberOfFrames`,
  `${MADO}MadoKeyObjectDocumentTitle`,
  `${MADO}MadoRetrieveLocationUIDExtension`,
];
