/**
 * The typed model of one DICOM study, the single input of every mapping function.
 *
 * Values keep their DICOM meaning and lexical form (DA `YYYYMMDD`, TM `HHMMSS.FFFFFF`, offsets `+HHMM`); the mapping
 * converts them to FHIR. An attribute absent or empty in DICOM is `undefined` here, never an empty string.
 */

/** The five components of a PN value's alphabetic group. */
export interface PersonName {
  family?: string;
  given?: string;
  middle?: string;
  prefix?: string;
  suffix?: string;
}

/** A code sequence item (Code Sequence Macro, PS3.3 Table 8.8-1). */
export interface CodedEntry {
  value?: string;
  scheme?: string;
  schemeVersion?: string;
  meaning?: string;
}

/** Universal entity id of an issuer (HL7 v2 HD: namespace, universal id, universal id type). */
export interface Issuer {
  localNamespace?: string;
  universalEntityId?: string;
  universalEntityIdType?: string;
}

/** A patient identifier with its issuer. */
export interface PatientIdentifier {
  value: string;
  issuer?: Issuer;
  typeOfId?: string;
}

/** Patient module (PS3.3 C.7.1.1). */
export interface PatientModel {
  id?: PatientIdentifier;
  otherIds: PatientIdentifier[];
  name?: PersonName;
  birthDate?: string;
  birthTime?: string;
  sex?: string;
}

/** The imaging service request (accession, placer/filler, requested procedure, reason). */
export interface RequestModel {
  accessionNumber?: string;
  accessionIssuer?: Issuer;
  placerOrderNumber?: string;
  fillerOrderNumber?: string;
  requestedProcedureId?: string;
  requestedProcedureDescription?: string;
  requestedProcedureCodes: CodedEntry[];
  reasonForRequestedProcedure?: string;
  reasonCodes: CodedEntry[];
}

/** The equipment that produced a series (General Equipment module, PS3.3 C.7.5.1). */
export interface EquipmentModel {
  manufacturer?: string;
  modelName?: string;
  serialNumber?: string;
  stationName?: string;
  softwareVersions: string[];
  deviceUid?: string;
  deviceId?: string;
  udi?: string;
  institutionName?: string;
}

/** One SOP instance. */
export interface InstanceModel {
  sopInstanceUid: string;
  sopClassUid?: string;
  instanceNumber?: number;
  numberOfFrames?: number;
  /** DocumentTitle (0042,0010), else the KOS/SR title (ConceptNameCodeSequence meaning), else ContentLabel. */
  title?: string;
}

/** One series. */
export interface SeriesModel {
  seriesInstanceUid: string;
  seriesNumber?: number;
  modality?: string;
  description?: string;
  date?: string;
  time?: string;
  timezoneOffset?: string;
  bodyPartExamined?: string;
  laterality?: string;
  retrieveUrl?: string;
  retrieveLocationUid?: string;
  performingPhysicians: PersonName[];
  operators: PersonName[];
  equipment: EquipmentModel;
  instances: InstanceModel[];
}

/** One study with everything the manifest needs. */
export interface StudyModel {
  studyInstanceUid: string;
  studyId?: string;
  date?: string;
  time?: string;
  timezoneOffset?: string;
  description?: string;
  referringPhysician?: PersonName;
  procedureCodes: CodedEntry[];
  modalitiesInStudy: string[];
  retrieveUrl?: string;
  patient: PatientModel;
  request: RequestModel;
  series: SeriesModel[];
  /** Non-fatal findings while reading (no PHI: attribute names and file names only). */
  warnings: string[];
}
