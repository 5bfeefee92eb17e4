/**
 * Reads the DICOM JSON model (PS3.18 F.2): QIDO-RS / WADO-RS metadata (an array of datasets), a single dataset, or
 * a Medplum Agent C-STORE notification (`{ association, dataset }`).
 *
 * DICOM JSON is Unicode already, whatever its SpecificCharacterSet says: values are taken as they are, never
 * decoded again. dcmjs's naturalizeDataset turns it into the same keyword-keyed form the Part-10 path produces.
 */
import dcmjs from 'dcmjs';
import type { DicomJsonDataset, NaturalizedDataset } from 'dcmjs';

const TAG = /^[0-9A-Fa-f]{8}$/;

/** True when a value looks like one DICOM JSON dataset (tag-keyed elements with a `vr`). */
export function isDicomJsonDataset(value: unknown): value is DicomJsonDataset {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return false;
  }
  const entries = Object.entries(value);
  return (
    entries.length > 0 && entries.every(([k, v]) => TAG.test(k) && typeof v === 'object' && v !== null && 'vr' in v)
  );
}

/**
 * The datasets of a DICOM JSON document, still in the DICOM JSON model.
 * @param json - A parsed JSON value.
 * @returns One dataset per instance.
 * @throws Error when the value is not DICOM JSON.
 */
export function dicomJsonDatasets(json: unknown): DicomJsonDataset[] {
  const list: unknown[] = Array.isArray(json)
    ? json
    : typeof json === 'object' && json !== null && 'dataset' in json
      ? [json.dataset]
      : [json];
  return list.map((item, i) => {
    if (!isDicomJsonDataset(item)) {
      throw new Error(`item ${i} is not a DICOM JSON dataset (PS3.18 F.2: tag keys with vr/Value)`);
    }
    return item;
  });
}

/**
 * One DICOM JSON dataset in dcmjs's naturalized form (the form the Part-10 path produces).
 * @param dataset - A DICOM JSON dataset.
 * @returns The naturalized dataset.
 */
export function naturalize(dataset: DicomJsonDataset): NaturalizedDataset {
  return dcmjs.data.DicomMetaDictionary.naturalizeDataset(dataset);
}

/**
 * Extracts and naturalizes the datasets of a DICOM JSON document.
 * @param json - A parsed JSON value.
 * @returns The naturalized datasets, one per instance.
 * @throws Error when the value is not DICOM JSON.
 */
export function readDicomJson(json: unknown): NaturalizedDataset[] {
  return dicomJsonDatasets(json).map(naturalize);
}
