/**
 * One DICOM instance, split into the study-, series- and instance-level attributes of the typed model.
 * Every DICOM keyword this project reads is named in this file (and in attributes.ts's code/issuer helpers).
 */
import type { NaturalizedDataset } from 'dcmjs';
import { codes, integer, issuer, items, person, persons, text, texts, type AttributeReader } from './attributes.ts';
import type { InstanceModel, PatientIdentifier, SeriesModel, StudyModel } from './study-model.ts';

/** The attributes of one instance, per level; `warnings` holds what was dropped while reading. */
export interface InstanceRecord {
  study: Omit<StudyModel, 'series' | 'warnings'>;
  series: Omit<SeriesModel, 'instances'>;
  instance: InstanceModel;
  warnings: string[];
}

/** A dataset that cannot be placed in a study (a required UID is missing). */
export class MissingAttributeError extends Error {
  constructor(readonly keyword: string) {
    super(`missing required attribute ${keyword}`);
    this.name = 'MissingAttributeError';
  }
}

function required(ds: NaturalizedDataset, keyword: string, reader: AttributeReader): string {
  const value = text(ds, keyword, reader);
  if (!value) {
    throw new MissingAttributeError(keyword);
  }
  return value;
}

function patientIdentifiers(
  ds: NaturalizedDataset,
  reader: AttributeReader
): Pick<StudyModel['patient'], 'id' | 'otherIds'> {
  const value = text(ds, 'PatientID', reader);
  const id: PatientIdentifier | undefined = value
    ? {
        value,
        issuer: issuer(
          text(ds, 'IssuerOfPatientID', reader),
          items(ds, 'IssuerOfPatientIDQualifiersSequence')[0],
          reader
        ),
        typeOfId: text(ds, 'TypeOfPatientID', reader),
      }
    : undefined;
  const otherIds = items(ds, 'OtherPatientIDsSequence').flatMap((item): PatientIdentifier[] => {
    const other = text(item, 'PatientID', reader);
    return other
      ? [
          {
            value: other,
            issuer: issuer(
              text(item, 'IssuerOfPatientID', reader),
              items(item, 'IssuerOfPatientIDQualifiersSequence')[0],
              reader
            ),
            typeOfId: text(item, 'TypeOfPatientID', reader),
          },
        ]
      : [];
  });
  return { id, otherIds };
}

function request(ds: NaturalizedDataset, reader: AttributeReader): StudyModel['request'] {
  // Request attributes stand at the top level (modality worklist copies) or inside RequestAttributesSequence.
  const ra = items(ds, 'RequestAttributesSequence')[0] ?? {};
  const first = (keyword: string): string | undefined => text(ds, keyword, reader) ?? text(ra, keyword, reader);
  const firstCodes = (keyword: string): ReturnType<typeof codes> => {
    const top = codes(ds, keyword, reader);
    return top.length > 0 ? top : codes(ra, keyword, reader);
  };
  const issuerItem = items(ds, 'IssuerOfAccessionNumberSequence')[0] ?? items(ra, 'IssuerOfAccessionNumberSequence')[0];
  return {
    accessionNumber: first('AccessionNumber'),
    accessionIssuer: issuerItem ? issuer(undefined, issuerItem, reader) : undefined,
    placerOrderNumber: first('PlacerOrderNumberImagingServiceRequest'),
    fillerOrderNumber: first('FillerOrderNumberImagingServiceRequest'),
    requestedProcedureId: first('RequestedProcedureID'),
    requestedProcedureDescription: first('RequestedProcedureDescription'),
    requestedProcedureCodes: firstCodes('RequestedProcedureCodeSequence'),
    reasonForRequestedProcedure: first('ReasonForTheRequestedProcedure'),
    reasonCodes: firstCodes('ReasonForRequestedProcedureCodeSequence'),
  };
}

function instanceTitle(ds: NaturalizedDataset, reader: AttributeReader): string | undefined {
  return (
    text(ds, 'DocumentTitle', reader) ??
    codes(ds, 'ConceptNameCodeSequence', reader)[0]?.meaning ??
    text(ds, 'ContentLabel', reader)
  );
}

/**
 * Splits one naturalized dataset into the levels of the typed model.
 * @param ds - A naturalized dataset (from Part-10 or DICOM JSON).
 * @returns The instance record.
 * @throws MissingAttributeError when StudyInstanceUID, SeriesInstanceUID or SOPInstanceUID is missing.
 */
export function toInstanceRecord(ds: NaturalizedDataset): InstanceRecord {
  const reader: AttributeReader = { warnings: [] };
  const studyInstanceUid = required(ds, 'StudyInstanceUID', reader);
  const seriesInstanceUid = required(ds, 'SeriesInstanceUID', reader);
  const sopInstanceUid = required(ds, 'SOPInstanceUID', reader);
  const timezoneOffset = text(ds, 'TimezoneOffsetFromUTC', reader);
  const udiItem = items(ds, 'UDISequence')[0];
  const study: InstanceRecord['study'] = {
    studyInstanceUid,
    studyId: text(ds, 'StudyID', reader),
    date: text(ds, 'StudyDate', reader),
    time: text(ds, 'StudyTime', reader),
    timezoneOffset,
    description: text(ds, 'StudyDescription', reader),
    referringPhysician: person(ds, 'ReferringPhysicianName', reader),
    procedureCodes: codes(ds, 'ProcedureCodeSequence', reader),
    modalitiesInStudy: texts(ds, 'ModalitiesInStudy', reader),
    retrieveUrl: text(ds, 'RetrieveURL', reader),
    patient: {
      ...patientIdentifiers(ds, reader),
      name: person(ds, 'PatientName', reader),
      birthDate: text(ds, 'PatientBirthDate', reader),
      birthTime: text(ds, 'PatientBirthTime', reader),
      sex: text(ds, 'PatientSex', reader),
    },
    request: request(ds, reader),
  };
  const series: InstanceRecord['series'] = {
    seriesInstanceUid,
    seriesNumber: integer(ds, 'SeriesNumber'),
    modality: text(ds, 'Modality', reader),
    description: text(ds, 'SeriesDescription', reader),
    date: text(ds, 'SeriesDate', reader),
    time: text(ds, 'SeriesTime', reader),
    timezoneOffset,
    bodyPartExamined: text(ds, 'BodyPartExamined', reader),
    laterality: text(ds, 'Laterality', reader) ?? text(ds, 'ImageLaterality', reader),
    retrieveUrl: undefined,
    retrieveLocationUid: text(ds, 'RetrieveLocationUID', reader),
    performingPhysicians: persons(ds, 'PerformingPhysicianName', reader),
    operators: persons(ds, 'OperatorsName', reader),
    equipment: {
      manufacturer: text(ds, 'Manufacturer', reader),
      modelName: text(ds, 'ManufacturerModelName', reader),
      serialNumber: text(ds, 'DeviceSerialNumber', reader),
      stationName: text(ds, 'StationName', reader),
      softwareVersions: texts(ds, 'SoftwareVersions', reader),
      deviceUid: text(ds, 'DeviceUID', reader),
      deviceId: text(ds, 'DeviceID', reader),
      udi: udiItem ? text(udiItem, 'UniqueDeviceIdentifier', reader) : text(ds, 'UniqueDeviceIdentifier', reader),
      institutionName: text(ds, 'InstitutionName', reader),
    },
  };
  const instance: InstanceModel = {
    sopInstanceUid,
    sopClassUid: text(ds, 'SOPClassUID', reader),
    instanceNumber: integer(ds, 'InstanceNumber'),
    numberOfFrames: integer(ds, 'NumberOfFrames'),
    title: instanceTitle(ds, reader),
  };
  return { study, series, instance, warnings: [...new Set(reader.warnings)] };
}
