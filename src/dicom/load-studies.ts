/**
 * Loads studies from files and folders (recursively, any file name): Part-10 files, bare datasets and DICOM JSON
 * documents. One bad file gives one error (file name + reason) and does not stop the others.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { groupStudies, type SourcedRecord } from './group-studies.ts';
import { MissingAttributeError, toInstanceRecord } from './instance-record.ts';
import { dicomJsonDatasets, naturalize } from './read-dicom-json.ts';
import { DicomReadError, readPart10 } from './read-part10.ts';
import type { StudyModel } from './study-model.ts';

/** A problem with one input file. */
export interface InputProblem {
  source: string;
  reason: string;
}

/** What was read from the inputs. */
export interface LoadResult {
  studies: StudyModel[];
  /** Files that are DICOM (or claim to be) but could not be used. */
  errors: InputProblem[];
  /** Files passed over on purpose (DICOMDIR, not DICOM). */
  skipped: InputProblem[];
  filesRead: number;
}

/** Options for loading. */
export interface LoadOptions {
  /** Called after each file with the count done and the total. */
  onProgress?: (done: number, total: number) => void;
}

/**
 * Lists the files below the given paths, recursively, in a stable order.
 * @param paths - Files or folders.
 * @returns The file paths.
 * @throws Error when a path does not exist.
 */
export function listFiles(paths: string[]): string[] {
  const out: string[] = [];
  const visit = (path: string): void => {
    const stat = statSync(path);
    if (stat.isDirectory()) {
      for (const name of readdirSync(path).sort()) {
        visit(join(path, name));
      }
    } else if (stat.isFile()) {
      out.push(path);
    }
  };
  paths.forEach(visit);
  return out;
}

function looksLikeJson(bytes: Uint8Array): boolean {
  for (const b of bytes.subarray(0, 64)) {
    if (b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09 || b === 0xef || b === 0xbb || b === 0xbf) {
      continue;
    }
    return b === 0x5b || b === 0x7b;
  }
  return false;
}

/**
 * The instance records of a DICOM JSON document (one dataset at a time: each naturalized dataset is garbage once
 * its record is taken).
 * @param json - A parsed DICOM JSON document (dataset, array of datasets, or Agent notification).
 * @param source - Its name; records are named `source[i]`.
 * @returns The records.
 * @throws Error when the document is not DICOM JSON; MissingAttributeError when a dataset lacks a required UID.
 */
export function recordsFromDicomJson(json: unknown, source: string): SourcedRecord[] {
  return dicomJsonDatasets(json).map((ds, i) => ({
    record: toInstanceRecord(naturalize(ds)),
    source: `${source}[${i}]`,
  }));
}

/**
 * Reads the instance records of one file.
 * @param source - The file's name, used in messages.
 * @param bytes - The file's content.
 * @returns The records (several for a DICOM JSON array).
 * @throws DicomReadError when the file cannot be used.
 */
export function readInstanceRecords(source: string, bytes: Uint8Array): SourcedRecord[] {
  try {
    if (looksLikeJson(bytes)) {
      let json: unknown;
      try {
        json = JSON.parse(new TextDecoder().decode(bytes));
      } catch (err) {
        throw new DicomReadError(`invalid JSON: ${(err as Error).message}`);
      }
      try {
        return recordsFromDicomJson(json, source);
      } catch (err) {
        if (err instanceof MissingAttributeError) {
          throw err;
        }
        throw new DicomReadError(`not DICOM JSON: ${(err as Error).message}`, true);
      }
    }
    const { dataset, warnings } = readPart10(bytes);
    const record = toInstanceRecord(dataset);
    record.warnings.unshift(...warnings);
    return [{ record, source }];
  } catch (err) {
    if (err instanceof MissingAttributeError) {
      throw new DicomReadError(err.message);
    }
    throw err;
  }
}

/**
 * Loads every study found in the given files and folders.
 * @param paths - Files or folders.
 * @param options - Progress reporting.
 * @returns Studies, errors and skipped files.
 */
export function loadStudies(paths: string[], options: LoadOptions = {}): LoadResult {
  const files = listFiles(paths);
  const records: SourcedRecord[] = [];
  const errors: InputProblem[] = [];
  const skipped: InputProblem[] = [];
  files.forEach((file, i) => {
    try {
      records.push(...readInstanceRecords(file, readFileSync(file)));
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      (err instanceof DicomReadError && err.skip ? skipped : errors).push({ source: file, reason });
    }
    options.onProgress?.(i + 1, files.length);
  });
  return { studies: groupStudies(records), errors, skipped, filesRead: files.length };
}
