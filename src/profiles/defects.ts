/**
 * The one place where upstream defects of the conformance resources are corrected.
 *
 * Every correction names the defect (see docs/validation.md). Corrections make a broken definition say what its
 * authors meant; none of them loosens a check.
 */
import type { ElementDefinition, Resource, StructureDefinition } from '@medplum/fhirtypes';
import { IM } from './canonicals.ts';

function elements(sd: StructureDefinition): ElementDefinition[] {
  return [...(sd.differential?.element ?? []), ...(sd.snapshot?.element ?? [])];
}

function patchStructureDefinition(sd: StructureDefinition): void {
  for (const el of elements(sd)) {
    // Defect 1: ImWadoRsEndpoint / ImXcWadoEndpoint connectionType pattern has code 'dicom-wado-rs]]' (a SUSHI
    // rule-set escaping slip). The code of the endpoint-connection-type CodeSystem is 'dicom-wado-rs'.
    if (el.patternCoding?.code === 'dicom-wado-rs]]') {
      el.patternCoding = { ...el.patternCoding, code: 'dicom-wado-rs' };
    }
    // Defect 2: payloadType is sliced by value@type, but a CodeableConcept has no 'type': no instance could ever
    // match the required slice. The slice is defined by its pattern, so discriminate on the value itself.
    if (
      (sd.url === `${IM}ImWadoRsEndpoint` || sd.url === `${IM}ImXcWadoEndpoint`) &&
      el.path === 'Endpoint.payloadType' &&
      el.slicing?.discriminator?.[0]?.path === 'type'
    ) {
      el.slicing = { ...el.slicing, discriminator: [{ type: 'value', path: '$this' }] };
    }
    // Defect 3: ImIheIidViewerEndpoint slices payloadType by value@coding, yet the slice only fixes `text`.
    if (
      sd.url === `${IM}ImIheIidViewerEndpoint` &&
      el.path === 'Endpoint.payloadType' &&
      el.slicing?.discriminator?.[0]?.path === 'coding'
    ) {
      el.slicing = { ...el.slicing, discriminator: [{ type: 'value', path: 'text' }] };
    }
    // Defect 4: IHE MADO pins data-absent-reason to version 5.3.0 of the extensions package, which cannot be
    // resolved offline; the R4 core definition of the same canonical is used.
    for (const type of el.type ?? []) {
      if (type.profile) {
        type.profile = type.profile.map((p) =>
          p.replace(/^(http:\/\/hl7\.org\/fhir\/StructureDefinition\/data-absent-reason)\|.*$/, '$1')
        );
      }
    }
    // Defect 6: invariant im-imagingstudy-01 tests startsWith('ihe:urn:oid:'); the IG's own identifier profile,
    // R4's convention and IHE MADO all use 'urn:oid:'.
    for (const c of el.constraint ?? []) {
      if (c.key === 'im-imagingstudy-01') {
        c.expression = c.expression?.replace("'ihe:urn:oid:'", "'urn:oid:'");
        c.human = c.human?.replace("'ihe:urn:oid:'", "'urn:oid:'");
      }
    }
  }
}

/**
 * Corrects the known upstream defects of one conformance resource, in place.
 * @param resource - A StructureDefinition or OperationDefinition as published upstream.
 * @returns The same object, corrected.
 */
export function patchConformanceResource<T extends Resource>(resource: T): T {
  const r: Resource = resource;
  if (r.resourceType === 'StructureDefinition') {
    patchStructureDefinition(r);
  }
  if (r.resourceType === 'OperationDefinition') {
    const op = r;
    // Defect 7: $generate-fhir-manifest has no `resource` although its id, text and instance=true say ImagingStudy.
    if (op.code === 'generate-fhir-manifest' && !op.resource?.length) {
      op.resource = ['ImagingStudy'];
    }
  }
  return resource;
}
