/**
 * Shared access to the test fixtures.
 */
import { readFileSync } from 'node:fs';
import type { Bundle } from '@medplum/fhirtypes';
import { loadStudies } from '../../src/dicom/load-studies.ts';
import type { StudyModel } from '../../src/dicom/study-model.ts';

/** Absolute path of a fixture. */
export function fixturePath(name: string): string {
  return new URL(`../fixtures/${name}`, import.meta.url).pathname;
}

/** The single study of a fixture folder or file. */
export function loadStudy(name: string): StudyModel {
  const { studies, errors } = loadStudies([fixturePath(name)]);
  if (errors.length || studies.length !== 1) {
    throw new Error(`fixture ${name}: ${studies.length} studies, ${errors.length} errors`);
  }
  return studies[0];
}

/** A JSON file of src/profiles (the IG's and MADO's examples). */
export function readProfileJson(path: string): Bundle {
  return JSON.parse(readFileSync(new URL(`../../src/profiles/${path}`, import.meta.url), 'utf8')) as Bundle;
}
