/**
 * The two profile sets one manifest builder serves: the HL7 Europe R4 Imaging Study Manifest (`eu`) and IHE MADO
 * (`mado`). Everything that differs between them is data here; the mapping code reads it and never branches on
 * copies of itself.
 */
import type { CodeableConcept, Coding } from '@medplum/fhirtypes';
import { IM, MADO } from './canonicals.ts';

/** The manifest flavours. */
export type Flavor = 'eu' | 'mado';

const MISSING_DICOM = 'http://hl7.eu/fhir/imaging-manifest-r4/CodeSystem/codesystem-missing-dicom-terminology';
const DCM = 'http://dicom.nema.org/resources/ontology/DCM';
const V2_0203 = 'http://terminology.hl7.org/CodeSystem/v2-0203';
const PAYLOAD_TYPE = 'http://terminology.hl7.org/CodeSystem/endpoint-payload-type';
const CONNECTION_TYPE = 'http://terminology.hl7.org/CodeSystem/endpoint-connection-type';

/** The 17 payload mime types ImWadoRsEndpoint requires (one slice each). */
export const WADO_MIME_TYPES: readonly string[] = [
  'application/dicom',
  'application/octet-stream',
  'application/dicom+xml',
  'application/json',
  'image/jpg',
  'image/gif',
  'image/jp2',
  'image/jph',
  'image/jxl',
  'video/mpeg',
  'video/mp4',
  'video/H265',
  'text/html',
  'text/plain',
  'text/xml',
  'text/rtf',
  'application/pdf',
];

/** What one flavour fixes. */
export interface ProfileSet {
  flavor: Flavor;
  bundleType: 'collection' | 'document';
  profiles: {
    bundle: string;
    imagingStudy: string;
    patient: string;
    order: string;
    device: string;
    wadoEndpoint: string;
    viewerEndpoint: string;
    composition?: string;
    creator?: string;
    creatorOrganization?: string;
  };
  studyInstanceUidType: CodeableConcept;
  accessionType: CodeableConcept;
  wadoPayloadType: CodeableConcept;
  wadoMimeTypes: readonly string[];
  viewerPayloadType: CodeableConcept;
  /** MADO: every series needs a WADO endpoint, and the study a displayable procedure. */
  seriesEndpointRequired: boolean;
}

const wadoConnection: Coding = { system: CONNECTION_TYPE, code: 'dicom-wado-rs', display: 'DICOM WADO-RS' };

/** The HL7 Europe R4 Imaging Study Manifest, 0.2.1-build. */
export const EU_PROFILES: ProfileSet = {
  flavor: 'eu',
  bundleType: 'collection',
  profiles: {
    bundle: `${IM}ImImagingStudyManifest`,
    imagingStudy: `${IM}ImImagingStudy`,
    patient: `${IM}ImPatient`,
    order: `${IM}ImOrder`,
    device: `${IM}ImImagingDevice`,
    wadoEndpoint: `${IM}ImWadoRsEndpoint`,
    viewerEndpoint: `${IM}ImIheIidViewerEndpoint`,
  },
  studyInstanceUidType: { coding: [{ system: MISSING_DICOM, code: '0020000D', display: 'Study Instance UID' }] },
  accessionType: { coding: [{ system: V2_0203, code: 'ACSN', display: 'Accession ID' }] },
  wadoPayloadType: { coding: [wadoConnection] },
  wadoMimeTypes: WADO_MIME_TYPES,
  viewerPayloadType: { coding: [{ system: PAYLOAD_TYPE, code: 'none', display: 'None' }], text: 'IHE IID' },
  seriesEndpointRequired: false,
};

/** IHE RAD MADO 0.1.0. */
export const MADO_PROFILES: ProfileSet = {
  flavor: 'mado',
  bundleType: 'document',
  profiles: {
    bundle: `${MADO}MadoFhirBundle`,
    imagingStudy: `${MADO}MadoImagingStudy`,
    patient: `${MADO}MadoPatient`,
    order: `${MADO}MadoRequestedProcedure`,
    device: `${IM}ImImagingDevice`,
    wadoEndpoint: `${MADO}MadoWadoEndpoint`,
    viewerEndpoint: `${MADO}MadoWebViewerEndpoint`,
    composition: `${MADO}MadoComposition`,
    creator: `${MADO}MadoCreator`,
    creatorOrganization: `${MADO}MadoCreatorOrganization`,
  },
  studyInstanceUidType: { coding: [{ system: DCM, code: '110180', display: 'Study Instance UID' }] },
  accessionType: {
    coding: [
      { system: V2_0203, code: 'ACSN', display: 'Accession ID' },
      { system: DCM, code: '121022', display: 'Accession Number' },
    ],
  },
  wadoPayloadType: { coding: [{ system: PAYLOAD_TYPE, code: 'none', display: 'None' }], text: 'DICOM WADO-RS' },
  wadoMimeTypes: ['application/dicom', 'application/dicom+json', 'application/json'],
  viewerPayloadType: { coding: [{ system: PAYLOAD_TYPE, code: 'none', display: 'None' }] },
  seriesEndpointRequired: true,
};

/**
 * The profile set of a flavour.
 * @param flavor - `eu` or `mado`.
 * @returns Its profile set.
 */
export function profileSet(flavor: Flavor): ProfileSet {
  return flavor === 'mado' ? MADO_PROFILES : EU_PROFILES;
}

export { CONNECTION_TYPE, DCM, wadoConnection };
