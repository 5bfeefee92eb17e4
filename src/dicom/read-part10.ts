/**
 * Reads a DICOM Part-10 file (or a bare dataset whose encoding is unambiguous) with dcmjs.
 *
 * - Files with the 128-byte preamble and `DICM` are read as they are.
 * - A bare dataset (no preamble, no file meta) is accepted when its first element is group 0008 and the encoding can
 *   be told from the bytes: explicit VR little or big endian (a VR follows the tag) or implicit VR little endian. A
 *   file meta information header naming that transfer syntax is written in front of it with dcmjs.
 * - dcmjs reports a value shorter than its declared length only as a log warning; that is a truncated file here.
 * - dcmjs refuses multi-valued SpecificCharacterSet (ISO 2022 code extensions): such files are read with the default
 *   repertoire, and text still carrying escape sequences is dropped later (attributes.ts) with a warning.
 */
import dcmjs from 'dcmjs';
import type { DicomJsonDataset, NaturalizedDataset, ReadOptions } from 'dcmjs';

/** Why a file could not be read; `skip` marks files that are not instances (not DICOM, DICOMDIR). */
export class DicomReadError extends Error {
  constructor(
    message: string,
    readonly skip: boolean = false
  ) {
    super(message);
    this.name = 'DicomReadError';
  }
}

/** A dataset read from a Part-10 file. */
export interface Part10Result {
  dataset: NaturalizedDataset;
  /** The same dataset in the DICOM JSON model (PS3.18 F.2), bulk data (OB, OW, UN, ...) left out. */
  json: DicomJsonDataset;
  warnings: string[];
}

const BULK_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'UN']);

/**
 * dcmjs's tag-keyed dictionary as plain DICOM JSON (vr and Value only), without bulk data.
 * @param dict - What dcmjs read.
 * @returns The DICOM JSON dataset.
 */
export function toDicomJson(dict: DicomJsonDataset): DicomJsonDataset {
  const out: DicomJsonDataset = {};
  for (const [tag, el] of Object.entries(dict)) {
    if (BULK_VRS.has(el.vr)) {
      continue;
    }
    const value = el.vr === 'SQ' ? (el.Value as DicomJsonDataset[] | undefined)?.map(toDicomJson) : el.Value;
    out[tag] = value?.length ? { vr: el.vr, Value: value } : { vr: el.vr };
  }
  return out;
}

const MEDIA_STORAGE_DIRECTORY = '1.2.840.10008.1.3.10';
const IMPLICIT_LE = '1.2.840.10008.1.2';
const EXPLICIT_LE = '1.2.840.10008.1.2.1';
const EXPLICIT_BE = '1.2.840.10008.1.2.2';
const VRS = new Set(
  'AE AS AT CS DA DS DT FD FL IS LO LT OB OD OF OL OV OW PN SH SL SQ SS ST SV TM UC UI UL UN UR US UT UV'.split(' ')
);

function hasPreamble(bytes: Uint8Array): boolean {
  return bytes.length >= 132 && String.fromCharCode(bytes[128], bytes[129], bytes[130], bytes[131]) === 'DICM';
}

function bareTransferSyntax(bytes: Uint8Array): string | undefined {
  if (bytes.length < 8) {
    return undefined;
  }
  const vr = String.fromCharCode(bytes[4], bytes[5]);
  if (bytes[0] === 0x08 && bytes[1] === 0x00) {
    return VRS.has(vr) ? EXPLICIT_LE : IMPLICIT_LE;
  }
  if (bytes[0] === 0x00 && bytes[1] === 0x08 && VRS.has(vr)) {
    return EXPLICIT_BE;
  }
  return undefined;
}

function withFileMeta(bytes: Uint8Array, transferSyntax: string): ArrayBuffer {
  const header = new Uint8Array(
    new dcmjs.data.DicomDict({ '00020010': { vr: 'UI', Value: [transferSyntax] } }).write()
  );
  const all = new Uint8Array(header.length + bytes.length);
  all.set(header);
  all.set(bytes, header.length);
  return all.buffer;
}

function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
    ? (bytes.buffer as ArrayBuffer)
    : new Uint8Array(bytes).buffer; // a copy: Buffer#slice would share Node's buffer pool
}

/** Runs a dcmjs call and returns what it logged (dcmjs reports some defects only through its loggers). */
function withDcmjsWarnings<T>(fn: () => T): { value: T; logged: string[] } {
  const logged: string[] = [];
  const record = (...args: unknown[]): void => {
    logged.push(args.map((a) => (a instanceof Error ? a.message : String(a))).join(' '));
  };
  const loggers = [dcmjs.log, dcmjs.log.getLogger('validation.dcmjs')];
  const originals = loggers.map((l) => ({ warn: l.warn, error: l.error }));
  loggers.forEach((l) => {
    l.warn = record;
    l.error = record;
  });
  try {
    return { value: fn(), logged };
  } finally {
    loggers.forEach((l, i) => {
      l.warn = originals[i].warn;
      l.error = originals[i].error;
    });
  }
}

const CHARSET_ERROR = /character set/i;
const SHORT_VALUE = /declares (\d+) bytes but only \d+ are available/;
const PIXEL_DATA = '7FE00010';

type Dict = ReturnType<typeof dcmjs.data.DicomMessage.readFile>;

/** One dcmjs read; what it logged about lengths or structure counts as a failure. */
function attempt(buffer: ArrayBuffer, options: ReadOptions): { dict?: Dict; problem?: string } {
  try {
    const { value, logged } = withDcmjsWarnings(() => dcmjs.data.DicomMessage.readFile(buffer, options));
    // Benign notes (e.g. "Invalid vr type xs - using US") are ignored; a short value, or an exception that
    // ignoreErrors turned into a "WARN:" line, is a failure.
    const problem = logged.find((l) => !CHARSET_ERROR.test(l) && (SHORT_VALUE.test(l) || l.startsWith('WARN:')));
    return problem ? { problem: problem.replace(/^WARN:\s*/, '') } : { dict: value };
  } catch (err) {
    return { problem: err instanceof Error ? err.message : String(err) };
  }
}

/** A value cut short by the end of the file, as opposed to a length that was misread (larger than the file). */
function isTruncation(problem: string, fileSize: number): boolean {
  const m = SHORT_VALUE.exec(problem);
  return (m !== null && Number(m[1]) <= fileSize) || /more than currently allocated buffer/i.test(problem);
}

function readDict(buffer: ArrayBuffer): { dict: Dict; warnings: string[] } {
  const warnings: string[] = [];
  let options: ReadOptions = {};
  let result = attempt(buffer, options);
  if (result.problem && CHARSET_ERROR.test(result.problem)) {
    // Read again tolerating only the character set; anything else dcmjs then logs is still a failure.
    warnings.push(`SpecificCharacterSet: ${result.problem}; text was read with the default repertoire`);
    options = { ignoreErrors: true };
    result = attempt(buffer, options);
  }
  if (result.dict) {
    return { dict: result.dict, warnings };
  }
  const problem = result.problem ?? 'unknown error';
  if (isTruncation(problem, buffer.byteLength)) {
    throw new DicomReadError(`truncated file (${problem})`);
  }
  // dcmjs misreads some encapsulated pixel data; the header before it may still be intact.
  const header = attempt(buffer, { ...options, untilTag: PIXEL_DATA });
  if (header.dict) {
    warnings.push(`PixelData: not parsed (${problem}); the attributes before it were read completely`);
    return { dict: header.dict, warnings };
  }
  throw new DicomReadError(`unreadable: ${problem}`);
}

/**
 * Reads one DICOM file.
 * @param bytes - The file's content.
 * @returns The naturalized dataset (pixel data included as dcmjs reads it) and reading warnings.
 * @throws DicomReadError with `skip` for non-DICOM files and DICOMDIRs, without it for damaged DICOM files.
 */
export function readPart10(bytes: Uint8Array): Part10Result {
  let buffer: ArrayBuffer;
  if (hasPreamble(bytes)) {
    buffer = toArrayBuffer(bytes);
  } else {
    const syntax = bareTransferSyntax(bytes);
    if (!syntax) {
      throw new DicomReadError('not a DICOM file (no DICM preamble and no recognisable dataset)', true);
    }
    buffer = withFileMeta(bytes, syntax);
  }
  const { dict, warnings } = readDict(buffer);
  const mediaStorage = dict.meta['00020002']?.Value?.[0];
  if (mediaStorage === MEDIA_STORAGE_DIRECTORY || dict.dict['00041220'] !== undefined) {
    throw new DicomReadError('DICOMDIR (a media directory, not an instance)', true);
  }
  const dataset = dcmjs.data.DicomMetaDictionary.naturalizeDataset(dict.dict);
  if (Object.keys(dataset).length === 0) {
    throw new DicomReadError('unreadable: no data elements could be read');
  }
  return { dataset, json: toDicomJson(dict.dict), warnings };
}
