/**
 * The study → ImImagingStudy / MadoImagingStudy.
 *
 * | DICOM | FHIR |
 * |---|---|
 * | StudyInstanceUID (0020,000D) | identifier[studyInstanceUid]: system urn:dicom:uid, value urn:oid:<uid> |
 * | StudyID (0020,0010) | identifier[studyId] (eu): system urn:dicom:id |
 * | StudyDate (0008,0020) + StudyTime (0008,0030) + TimezoneOffsetFromUTC (0008,0201) | started |
 * | StudyDescription (0008,1030) | description |
 * | Modality (0008,0060) of all series (else ModalitiesInStudy (0008,0061)) | modality (DCM) |
 * | ProcedureCodeSequence (0008,1032) | procedureCode; MADO without it: RequestedProcedureDescription, else StudyDescription as text |
 * | AccessionNumber (0008,0050) | basedOn (reference to the order, with the accession identifier) |
 * | ReferringPhysicianName (0008,0090) | referrer |
 * | number of series / instances read | numberOfSeries, numberOfInstances |
 * | SeriesInstanceUID (0020,000E) | series.uid |
 * | SeriesNumber (0020,0011) | series.number |
 * | Modality (0008,0060) | series.modality (a series without one: DCM OT "Other", with a warning) |
 * | SeriesDescription (0008,103E) | series.description |
 * | SeriesDate + SeriesTime (0008,0021/0031) | series.started |
 * | BodyPartExamined (0018,0015) | series.bodySite |
 * | Laterality (0020,0060) / ImageLaterality (0020,0062) | series.laterality |
 * | PerformingPhysicianName / OperatorsName | series.performer[performer] (PRF) |
 * | General Equipment module | series.performer[device] (DEV) |
 * | SOPInstanceUID (0008,0018) | series.instance.uid |
 * | SOPClassUID (0008,0016) | series.instance.sopClass: urn:ietf:rfc:3986 urn:oid:<uid> |
 * | InstanceNumber (0020,0013) | series.instance.number |
 * | DocumentTitle (0042,0010) / ConceptNameCodeSequence / ContentLabel | series.instance.title |
 * | NumberOfFrames (0028,0008) | MADO: series.instance.extension[number-of-frames] |
 * | (fixed) | status `available` (the instances were read, so they exist) |
 */
import type {
  CodeableConcept,
  Device,
  Endpoint,
  ImagingStudy,
  ImagingStudySeries,
  Patient,
  Practitioner,
  Reference,
  ServiceRequest,
} from '@medplum/fhirtypes';
import type { SeriesModel } from '../dicom/study-model.ts';
import { DCM } from '../profiles/profile-set.ts';
import { bodySiteCoding, lateralityCoding } from './body-site.ts';
import { entry, ref, type Entry, type MappingContext } from './context.ts';
import { deviceKey } from './device.ts';
import { deterministicUuid } from './ids.ts';
import { accessionIdentifier, uidValue } from './identifiers.ts';
import { mapPractitioner } from './practitioner.ts';
import { toCoding, toFhirDateTime } from './values.ts';

const PARTICIPATION = 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType';

/** The resources the ImagingStudy references. */
export interface StudyReferences {
  patient: Entry<Patient>;
  order?: Entry<ServiceRequest>;
  wadoEndpoint: Entry<Endpoint>;
  viewerEndpoint?: Entry<Endpoint>;
  devices: Map<string, Entry<Device>>;
}

/** The ImagingStudy and the Practitioners it created on the way. */
export interface ImagingStudyResult {
  imagingStudy: Entry<ImagingStudy>;
  practitioners: Entry<Practitioner>[];
}

function procedureCodes(ctx: MappingContext): CodeableConcept[] {
  const { study } = ctx;
  if (study.procedureCodes.length) {
    return study.procedureCodes.map((c) => ({ coding: [toCoding(c)], ...(c.meaning ? { text: c.meaning } : {}) }));
  }
  // MADO requires a displayable procedure (mado-reqproc-1); the requested procedure's or the study's description
  // is what DICOM has for it.
  const text = study.request.requestedProcedureDescription ?? study.description;
  if (ctx.profiles.flavor !== 'mado') {
    return [];
  }
  if (!text) {
    ctx.warnings.push(
      'MADO needs a displayable procedure (mado-reqproc-1), but DICOM has no ProcedureCodeSequence, RequestedProcedureDescription or StudyDescription'
    );
  }
  return text ? [{ text }] : [];
}

function mapSeries(
  series: SeriesModel,
  ctx: MappingContext,
  refs: StudyReferences,
  practitioners: Entry<Practitioner>[]
): ImagingStudySeries {
  const performers: NonNullable<ImagingStudySeries['performer']> = [];
  const performerName = series.performingPhysicians[0] ?? series.operators[0];
  if (performerName) {
    const p = mapPractitioner(ctx, 'performer', performerName);
    if (!practitioners.some((e) => e.fullUrl === p.fullUrl)) {
      practitioners.push(p);
    }
    performers.push({
      function: { coding: [{ system: PARTICIPATION, code: 'PRF', display: 'performer' }] },
      actor: ref(p),
    });
  }
  const key = deviceKey(series.equipment);
  const device = key ? refs.devices.get(key) : undefined;
  if (device) {
    performers.push({
      function: { coding: [{ system: PARTICIPATION, code: 'DEV', display: 'device' }] },
      actor: ref(device),
    });
  }
  if (!series.modality) {
    ctx.warnings.push(`series ${series.seriesInstanceUid}: no Modality (0008,0060); coded as OT (Other)`);
  }
  if (series.instances.some((i) => !i.sopClassUid)) {
    ctx.warnings.push(
      `series ${series.seriesInstanceUid}: instance without SOPClassUID (0008,0016); coded as Secondary Capture`
    );
  }
  const started = toFhirDateTime(series.date, series.time, series.timezoneOffset, ctx.options.timezone);
  const bodySite = bodySiteCoding(series.bodyPartExamined);
  const laterality = lateralityCoding(series.laterality);
  const mado = ctx.profiles.flavor === 'mado';
  return {
    uid: series.seriesInstanceUid,
    ...(series.seriesNumber !== undefined ? { number: series.seriesNumber } : {}),
    modality: { system: DCM, code: series.modality ?? 'OT' },
    ...(series.description ? { description: series.description } : {}),
    numberOfInstances: series.instances.length,
    endpoint: [ref(refs.wadoEndpoint)],
    ...(bodySite ? { bodySite } : {}),
    ...(laterality ? { laterality } : {}),
    ...(started ? { started } : {}),
    ...(performers.length ? { performer: performers } : {}),
    instance: series.instances.map((i) => ({
      ...(mado && i.numberOfFrames !== undefined
        ? {
            extension: [
              {
                url: 'https://profiles.ihe.net/RAD/MADO/StructureDefinition/MadoNumberOfFrames',
                valueInteger: i.numberOfFrames,
              },
            ],
          }
        : {}),
      uid: i.sopInstanceUid,
      sopClass: { system: 'urn:ietf:rfc:3986', code: uidValue(i.sopClassUid ?? '1.2.840.10008.5.1.4.1.1.7') },
      ...(i.instanceNumber !== undefined ? { number: i.instanceNumber } : {}),
      ...(i.title ? { title: i.title } : {}),
    })),
  };
}

/**
 * Maps the ImagingStudy.
 * @param ctx - The mapping context.
 * @param refs - The entries it references.
 * @returns The ImagingStudy entry and the practitioners (referrer, performers) it references.
 */
export function mapImagingStudy(ctx: MappingContext, refs: StudyReferences): ImagingStudyResult {
  const { study, profiles } = ctx;
  const practitioners: Entry<Practitioner>[] = [];
  const referrer = study.referringPhysician ? mapPractitioner(ctx, 'referrer', study.referringPhysician) : undefined;
  if (referrer) {
    practitioners.push(referrer);
  }
  const accession = accessionIdentifier(ctx);
  const basedOn: Reference<ServiceRequest>[] =
    refs.order && accession ? [{ ...ref(refs.order), identifier: accession }] : [];
  const series = study.series.map((s) => mapSeries(s, ctx, refs, practitioners));
  const started = toFhirDateTime(study.date, study.time, study.timezoneOffset, ctx.options.timezone);
  const procedureCode = procedureCodes(ctx);
  const endpoints = [refs.viewerEndpoint, profiles.flavor === 'eu' ? refs.wadoEndpoint : undefined].filter(
    (e): e is Entry<Endpoint> => e !== undefined
  );
  const imagingStudy = entry<ImagingStudy>({
    resourceType: 'ImagingStudy',
    id: deterministicUuid('ImagingStudy', study.studyInstanceUid),
    meta: { profile: [profiles.profiles.imagingStudy] },
    identifier: [
      { type: profiles.studyInstanceUidType, system: 'urn:dicom:uid', value: uidValue(study.studyInstanceUid) },
      ...(study.studyId && profiles.flavor === 'eu'
        ? [
            {
              type: {
                coding: [
                  {
                    system: 'http://hl7.eu/fhir/imaging-manifest-r4/CodeSystem/codesystem-missing-dicom-terminology',
                    code: '00200010',
                    display: 'Study Id',
                  },
                ],
              },
              system: 'urn:dicom:id',
              value: study.studyId,
            },
          ]
        : []),
    ],
    status: 'available',
    ...(study.modalitiesInStudy.length
      ? { modality: study.modalitiesInStudy.map((code) => ({ system: DCM, code })) }
      : {}),
    subject: ref(refs.patient),
    ...(started ? { started } : {}),
    ...(basedOn.length ? { basedOn } : {}),
    ...(referrer ? { referrer: ref(referrer) } : {}),
    ...(endpoints.length ? { endpoint: endpoints.map((e) => ref(e)) } : {}),
    numberOfSeries: series.length,
    numberOfInstances: series.reduce((n, s) => n + (s.numberOfInstances ?? 0), 0),
    ...(procedureCode.length ? { procedureCode } : {}),
    ...(study.description ? { description: study.description } : {}),
    series,
  });
  return { imagingStudy, practitioners };
}
