/**
 * DICOM JSON of fixture files, as a PACS returns it for WADO-RS metadata (bulk data left out).
 */
import { readFileSync } from 'node:fs';
import type { DicomJsonDataset } from 'dcmjs';
import { listFiles } from '../../src/dicom/load-studies.ts';
import { readPart10 } from '../../src/dicom/read-part10.ts';
import { fixturePath } from './fixtures.ts';

/** The DICOM JSON datasets of every file below a fixture folder. */
export function dicomJsonOf(name: string): DicomJsonDataset[] {
  return listFiles([fixturePath(name)]).map((f) => readPart10(readFileSync(f)).json);
}
