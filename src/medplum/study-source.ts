/**
 * Finds the DICOM metadata of a stored ImagingStudy and turns it into the typed study model, in this order:
 * 1. the DICOMweb base configured for the project, or the one of the study's WADO-RS Endpoint → WADO-RS
 *    `studies/{uid}/metadata`;
 * 2. Medplum's own DICOM store: DicomStudy / DicomInstance through FHIR search (its DICOMweb pages at 20 items),
 *    following `next` links.
 */
import type { MedplumClient } from '@medplum/core';
import type { Bundle, DicomInstance, Endpoint, ImagingStudy } from '@medplum/fhirtypes';
import { groupStudies } from '../dicom/group-studies.ts';
import { recordsFromDicomJson } from '../dicom/load-studies.ts';
import type { StudyModel } from '../dicom/study-model.ts';
import { buildManifest, type BuiltManifest } from '../manifest/build-manifest.ts';
import type { BotConfig } from './config.ts';
import { fetchStudyMetadata } from './dicomweb.ts';
import { withRetry } from './retry.ts';
import { NO_CACHE } from './store.ts';

/** The study model with where it came from. */
export interface LoadedStudy {
  model: StudyModel;
  /** The DICOMweb base the manifest's WADO endpoint should point at. */
  dicomwebBase: string;
  source: 'dicomweb' | 'medplum-dicom';
}

/** No metadata source has the study. */
export class StudyNotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StudyNotFoundError';
  }
}

/**
 * The StudyInstanceUID of an ImagingStudy (identifier system urn:dicom:uid).
 * @param study - The ImagingStudy.
 * @returns The bare UID, or undefined.
 */
export function studyInstanceUidOf(study: ImagingStudy): string | undefined {
  const value = study.identifier?.find((i) => i.system === 'urn:dicom:uid')?.value;
  return value?.replace(/^urn:oid:/, '');
}

/**
 * Groups DICOM JSON datasets into the model of one study.
 * @param datasets - DICOM JSON datasets (any order).
 * @param studyInstanceUid - The study wanted.
 * @returns The study model.
 * @throws StudyNotFoundError when no dataset belongs to the study.
 */
export function modelFromDicomJson(datasets: unknown[], studyInstanceUid: string): StudyModel {
  const study = groupStudies(recordsFromDicomJson(datasets, 'instance')).find(
    (s) => s.studyInstanceUid === studyInstanceUid
  );
  if (!study) {
    throw new StudyNotFoundError(`no instance of study ${studyInstanceUid} in the metadata`);
  }
  return study;
}

async function wadoBaseOf(medplum: MedplumClient, study: ImagingStudy): Promise<string | undefined> {
  for (const ref of study.endpoint ?? []) {
    try {
      const endpoint = await medplum.readReference<Endpoint>(ref);
      if (endpoint.connectionType.code === 'dicom-wado-rs' && endpoint.address !== 'http://notspecified') {
        return endpoint.address;
      }
    } catch {
      // an unreadable endpoint is simply not a source
    }
  }
  return undefined;
}

/**
 * Reads the DicomInstances of a study from Medplum's DICOM store, following `next` links.
 * @param medplum - The client.
 * @param studyInstanceUid - The study.
 * @param deadline - Retry until this time.
 * @returns The DICOM JSON datasets, or undefined when the store has no such study.
 */
export async function readMedplumDicom(
  medplum: MedplumClient,
  studyInstanceUid: string,
  deadline: number
): Promise<unknown[] | undefined> {
  const dicomStudy = await withRetry(
    () => medplum.searchOne('DicomStudy', { 'study-instance-uid': studyInstanceUid }, NO_CACHE),
    { deadline }
  );
  if (!dicomStudy) {
    return undefined;
  }
  const datasets: unknown[] = [];
  let url: string | undefined = medplum
    .fhirSearchUrl('DicomInstance', {
      study: `DicomStudy/${dicomStudy.id}`,
      _count: '1000',
    })
    .toString();
  while (url) {
    const page: Bundle<DicomInstance> = await withRetry(() => medplum.get<Bundle<DicomInstance>>(url ?? '', NO_CACHE), {
      deadline,
    });
    for (const e of page.entry ?? []) {
      if (e.resource?.metadata) {
        datasets.push(JSON.parse(e.resource.metadata));
      }
    }
    url = page.link?.find((l) => l.relation === 'next')?.url;
  }
  return datasets;
}

/**
 * Loads the study model of a stored ImagingStudy.
 * @param medplum - The client.
 * @param study - The ImagingStudy.
 * @param config - The bot configuration.
 * @param deadline - Retry until this time.
 * @param source - `medplum-dicom` reads Medplum's DICOM store even when a DICOMweb base is configured.
 * @returns The model and the DICOMweb base to advertise.
 * @throws StudyNotFoundError when neither source has the study.
 */
export async function loadStudyModel(
  medplum: MedplumClient,
  study: ImagingStudy,
  config: BotConfig,
  deadline: number,
  source: 'auto' | 'medplum-dicom' = 'auto'
): Promise<LoadedStudy> {
  const uid = studyInstanceUidOf(study);
  if (!uid) {
    throw new StudyNotFoundError(`ImagingStudy/${study.id ?? ''} has no urn:dicom:uid identifier`);
  }
  const ownDicomweb = medplum.getBaseUrl().replace(/\/+$/, '') + '/dicomweb';
  const base = source === 'auto' ? (config.dicomwebBase ?? (await wadoBaseOf(medplum, study))) : undefined;
  // Medplum's own DICOMweb pages at 20 items: its store is read through FHIR search instead.
  if (base && !base.startsWith(ownDicomweb)) {
    const metadata = await fetchStudyMetadata({ base, authorization: config.dicomwebAuthorization }, uid, deadline);
    return { model: modelFromDicomJson(metadata, uid), dicomwebBase: base, source: 'dicomweb' };
  }
  const datasets = await readMedplumDicom(medplum, uid, deadline);
  if (!datasets?.length) {
    throw new StudyNotFoundError(
      `no DICOM metadata for ImagingStudy/${study.id ?? ''}: no DICOMweb base (secret DICOMWEB_BASE_URL or a WADO-RS endpoint) and no DicomStudy in this project`
    );
  }
  return {
    model: modelFromDicomJson(datasets, uid),
    dicomwebBase: config.dicomwebBase ?? ownDicomweb,
    source: 'medplum-dicom',
  };
}

/**
 * The manifest of a stored ImagingStudy, built from its DICOM metadata exactly as enrichment, publication and
 * $generate-fhir-manifest all build it.
 * @param medplum - The client.
 * @param study - The ImagingStudy.
 * @param config - The bot configuration.
 * @param deadline - Retry until this time.
 * @param source - Where the metadata comes from (see loadStudyModel).
 * @returns The loaded study and its (unvalidated) manifest.
 */
export async function manifestOfStoredStudy(
  medplum: MedplumClient,
  study: ImagingStudy,
  config: BotConfig,
  deadline: number,
  source: 'auto' | 'medplum-dicom' = 'auto'
): Promise<{ loaded: LoadedStudy; built: BuiltManifest }> {
  const loaded = await loadStudyModel(medplum, study, config, deadline, source);
  const built = buildManifest(loaded.model, config.flavor, { ...config, dicomwebBase: loaded.dicomwebBase });
  return { loaded, built };
}
