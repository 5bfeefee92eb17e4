/** Canonical URL bases of the StructureDefinitions this project uses. */

/** HL7 Europe Imaging Study Manifest, R4 (hl7.fhir.eu.imaging-manifest-r4). */
export const IM = 'http://hl7.eu/fhir/imaging-manifest-r4/StructureDefinition/';

/** IHE RAD MADO. */
export const MADO = 'https://profiles.ihe.net/RAD/MADO/StructureDefinition/';
