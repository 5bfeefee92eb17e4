/**
 * Patient module (0010,xxxx) → ImPatient / MadoPatient.
 *
 * | DICOM | FHIR |
 * |---|---|
 * | PatientID (0010,0020) + IssuerOfPatientID (0010,0021) + qualifiers (0010,0024) | identifier[0] |
 * | OtherPatientIDsSequence (0010,1002) | identifier[1..] |
 * | PatientName (0010,0010) | name |
 * | PatientBirthDate (0010,0030) | birthDate |
 * | PatientBirthTime (0010,0032) | birthDate.extension[patient-birthTime] |
 * | PatientSex (0010,0040) | gender: M→male, F→female, O→other, any other value→unknown; absent stays absent |
 */
import type { Extension, Patient } from '@medplum/fhirtypes';
import { entry, type Entry, type MappingContext } from './context.ts';
import { deterministicUuid } from './ids.ts';
import { patientIdentifier } from './identifiers.ts';
import { toFhirDate, toFhirDateTime, toHumanName } from './values.ts';

const GENDER: Record<string, Patient['gender']> = { M: 'male', F: 'female', O: 'other' };

/**
 * Maps the study's patient; always present (the ImagingStudy's subject), with whatever DICOM has.
 * @param ctx - The mapping context (an unidentified patient adds a warning).
 * @returns The Patient entry.
 */
export function mapPatient(ctx: MappingContext): Entry<Patient> {
  const p = ctx.study.patient;
  const identifiers = [p.id, ...p.otherIds].filter((i) => i !== undefined).map((i) => patientIdentifier(i, ctx));
  if (identifiers.length === 0 && !p.name) {
    ctx.warnings.push('patient is unidentified: no PatientID and no PatientName');
  }
  const first = identifiers[0];
  const id = first
    ? deterministicUuid('Patient', first.system, first.value)
    : deterministicUuid('Patient', 'study', ctx.study.studyInstanceUid);
  const birthDate = toFhirDate(p.birthDate);
  const birthTime = birthDate ? toFhirDateTime(p.birthDate, p.birthTime, undefined, ctx.options.timezone) : undefined;
  const birthTimeExt: Extension[] | undefined =
    birthTime && birthTime.includes('T')
      ? [{ url: 'http://hl7.org/fhir/StructureDefinition/patient-birthTime', valueDateTime: birthTime }]
      : undefined;
  const sex = p.sex?.toUpperCase();
  return entry<Patient>({
    resourceType: 'Patient',
    id,
    meta: { profile: [ctx.profiles.profiles.patient] },
    ...(identifiers.length ? { identifier: identifiers } : {}),
    ...(p.name ? { name: [toHumanName(p.name)] } : {}),
    ...(sex ? { gender: GENDER[sex] ?? 'unknown' } : {}),
    ...(birthDate ? { birthDate } : {}),
    ...(birthTimeExt ? { _birthDate: { extension: birthTimeExt } } : {}),
  });
}
