/**
 * Identifier systems from DICOM issuers, and the identifiers of patient, accession and study.
 */
import type { Identifier } from '@medplum/fhirtypes';
import type { Issuer, PatientIdentifier } from '../dicom/study-model.ts';
import { DEFAULT_ACCESSION_SYSTEM, LOCAL_ISSUER_PREFIX, type MappingContext } from './context.ts';

/**
 * The system URI of a DICOM issuer: ISO → `urn:oid:<id>`, UUID → `urn:uuid:<id>`, URI/URL → the id itself,
 * any other universal type → `<prefix><type>:<id>`; a local namespace alone → `urn:dicom:issuer:<namespace>`.
 * @param issuer - The issuer.
 * @returns The system, or undefined when there is no issuer.
 */
export function issuerSystem(issuer: Issuer | undefined): string | undefined {
  if (!issuer) {
    return undefined;
  }
  const id = issuer.universalEntityId;
  const type = issuer.universalEntityIdType?.toUpperCase();
  if (id) {
    if (type === 'ISO' || (!type && /^[0-2](\.\d+)+$/.test(id))) {
      return `urn:oid:${id}`;
    }
    if (type === 'UUID') {
      return `urn:uuid:${id.toLowerCase()}`;
    }
    if (type === 'URI' || type === 'URL') {
      return id;
    }
    return `${LOCAL_ISSUER_PREFIX}${encodeURIComponent(type ?? 'unknown')}:${encodeURIComponent(id)}`;
  }
  return issuer.localNamespace ? `${LOCAL_ISSUER_PREFIX}${encodeURIComponent(issuer.localNamespace)}` : undefined;
}

/**
 * A patient identifier (PatientID + issuer); without an issuer it has no system unless `--patient-id-system` is set.
 * @param id - The DICOM patient identifier.
 * @param ctx - The mapping context.
 * @returns The FHIR identifier.
 */
export function patientIdentifier(id: PatientIdentifier, ctx: MappingContext): Identifier {
  const system = issuerSystem(id.issuer) ?? ctx.options.patientIdSystem;
  return {
    ...(system ? { system } : {}),
    value: id.value,
    ...(id.typeOfId ? { type: { text: id.typeOfId } } : {}),
  };
}

/**
 * The accession identifier (typed ACSN; system from IssuerOfAccessionNumberSequence, else `--accession-system`,
 * else the documented default).
 * @param ctx - The mapping context.
 * @returns The identifier, or undefined when the study has no accession number.
 */
export function accessionIdentifier(ctx: MappingContext): Identifier | undefined {
  const { accessionNumber, accessionIssuer } = ctx.study.request;
  if (!accessionNumber) {
    return undefined;
  }
  return {
    type: ctx.profiles.accessionType,
    system: issuerSystem(accessionIssuer) ?? ctx.options.accessionSystem ?? DEFAULT_ACCESSION_SYSTEM,
    value: accessionNumber,
  };
}

/**
 * A DICOM UID as an identifier value (`urn:oid:<uid>`, system `urn:dicom:uid`).
 * @param uid - The UID.
 * @returns The value.
 */
export function uidValue(uid: string): string {
  return `urn:oid:${uid}`;
}
