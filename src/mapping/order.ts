/**
 * The imaging service request → ImOrder / MadoRequestedProcedure (ServiceRequest). No accession number, no order.
 *
 * | DICOM | FHIR |
 * |---|---|
 * | AccessionNumber (0008,0050) + IssuerOfAccessionNumberSequence (0008,0051) | identifier[accessionNumber] (type v2-0203#ACSN) |
 * | PlacerOrderNumberImagingServiceRequest (0040,2016) | identifier (type PLAC) |
 * | FillerOrderNumberImagingServiceRequest (0040,2017) | identifier (type FILL) |
 * | RequestedProcedureID (0040,1001) | identifier (type text "Requested Procedure ID") |
 * | RequestedProcedureCodeSequence (0032,1064) | code.coding |
 * | RequestedProcedureDescription (0032,1060) | code.text |
 * | ReasonForTheRequestedProcedure (0040,1002), ReasonForRequestedProcedureCodeSequence (0040,100A) | extension[reason] (R5 ServiceRequest.reason) |
 * | Patient module | subject |
 * | (fixed) | status `unknown` (DICOM does not carry the order's state), intent `order`, category SNOMED 363679005 Imaging |
 */
import type { Identifier, Patient, ServiceRequest } from '@medplum/fhirtypes';
import { entry, ref, type Entry, type MappingContext } from './context.ts';
import { deterministicUuid } from './ids.ts';
import { accessionIdentifier } from './identifiers.ts';
import { toCoding } from './values.ts';

const V2_0203 = 'http://terminology.hl7.org/CodeSystem/v2-0203';

function typed(code: 'PLAC' | 'FILL', display: string, value: string | undefined): Identifier[] {
  return value ? [{ type: { coding: [{ system: V2_0203, code, display }] }, value }] : [];
}

/**
 * Maps the order of a study.
 * @param ctx - The mapping context.
 * @param patient - The subject's entry.
 * @returns The ServiceRequest entry, or undefined when the study has no accession number.
 */
export function mapOrder(ctx: MappingContext, patient: Entry<Patient>): Entry<ServiceRequest> | undefined {
  const accession = accessionIdentifier(ctx);
  if (!accession) {
    return undefined;
  }
  const r = ctx.study.request;
  const codings = r.requestedProcedureCodes.map(toCoding);
  const reasons = [
    ...r.reasonCodes.map((c) => ({ coding: [toCoding(c)] })),
    ...(r.reasonForRequestedProcedure ? [{ text: r.reasonForRequestedProcedure }] : []),
  ];
  return entry<ServiceRequest>({
    resourceType: 'ServiceRequest',
    id: deterministicUuid('ServiceRequest', accession.system, accession.value),
    meta: { profile: [ctx.profiles.profiles.order] },
    ...(reasons.length
      ? {
          extension: reasons.map((valueCodeableConcept) => ({
            url: 'http://hl7.org/fhir/5.0/StructureDefinition/extension-ServiceRequest.reason',
            valueCodeableConcept,
          })),
        }
      : {}),
    identifier: [
      accession,
      ...typed('PLAC', 'Placer Identifier', r.placerOrderNumber),
      ...typed('FILL', 'Filler Identifier', r.fillerOrderNumber),
      ...(r.requestedProcedureId ? [{ type: { text: 'Requested Procedure ID' }, value: r.requestedProcedureId }] : []),
    ],
    status: 'unknown',
    intent: 'order',
    category: [{ coding: [{ system: 'http://snomed.info/sct', code: '363679005', display: 'Imaging' }] }],
    ...(codings.length || r.requestedProcedureDescription
      ? {
          code: {
            ...(codings.length ? { coding: codings } : {}),
            ...(r.requestedProcedureDescription ? { text: r.requestedProcedureDescription } : {}),
          },
        }
      : {}),
    subject: ref(patient),
  });
}
