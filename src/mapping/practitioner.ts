/**
 * Person names → Practitioner: the referrer (ReferringPhysicianName (0008,0090) → ImagingStudy.referrer) and the
 * series performer (PerformingPhysicianName (0008,1050), else OperatorsName (0008,1070) → series.performer PRF).
 * DICOM gives a name only, so the Practitioner carries only that name; its id is derived from the study and role
 * (a name is not an identity across studies).
 */
import type { Practitioner } from '@medplum/fhirtypes';
import type { PersonName } from '../dicom/study-model.ts';
import { entry, type Entry, type MappingContext } from './context.ts';
import { deterministicUuid } from './ids.ts';
import { toHumanName } from './values.ts';

/**
 * Maps a person named in the study.
 * @param ctx - The mapping context.
 * @param role - `referrer` or `performer`.
 * @param name - The DICOM person name.
 * @returns The Practitioner entry.
 */
export function mapPractitioner(ctx: MappingContext, role: string, name: PersonName): Entry<Practitioner> {
  const humanName = toHumanName(name);
  return entry<Practitioner>({
    resourceType: 'Practitioner',
    id: deterministicUuid('Practitioner', ctx.study.studyInstanceUid, role, JSON.stringify(humanName)),
    name: [humanName],
  });
}
