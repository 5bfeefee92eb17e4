/**
 * Typed access to a naturalized DICOM dataset (dcmjs's keyword-keyed form), shared by the Part-10 and DICOM JSON
 * paths. Empty values become `undefined`; text that still carries ISO 2022 escape sequences (which no library here
 * decodes) is dropped and reported, never passed on.
 */
import type { NaturalizedDataset } from 'dcmjs';
import type { CodedEntry, Issuer, PersonName } from './study-model.ts';

/** Collects warnings while attributes are read; never holds values, only attribute keywords. */
export interface AttributeReader {
  warnings: string[];
}

const ESC = '\u001b';

function clean(value: unknown, keyword: string, reader: AttributeReader): string | undefined {
  if (value === undefined || value === null) {
    return undefined;
  }
  if (typeof value !== 'string' && typeof value !== 'number') {
    return undefined;
  }
  const text = String(value).replace(/\0/g, '').trim();
  if (text === '') {
    return undefined;
  }
  if (text.includes(ESC)) {
    reader.warnings.push(`${keyword}: ISO 2022 encoded text (code extensions) cannot be decoded and was left out`);
    return undefined;
  }
  return text;
}

function values(ds: NaturalizedDataset, keyword: string): unknown[] {
  const v = ds[keyword];
  if (v === undefined || v === null) {
    return [];
  }
  return Array.isArray(v) ? (v as unknown[]) : [v];
}

/**
 * Reads the first value of a text attribute.
 * @param ds - The naturalized dataset.
 * @param keyword - The DICOM keyword.
 * @param reader - Collects warnings.
 * @returns The trimmed value, or undefined when absent or empty.
 */
export function text(ds: NaturalizedDataset, keyword: string, reader: AttributeReader): string | undefined {
  return clean(values(ds, keyword)[0], keyword, reader);
}

/**
 * Reads every value of a multi-valued text attribute (backslash-separated in DICOM).
 * @param ds - The naturalized dataset.
 * @param keyword - The DICOM keyword.
 * @param reader - Collects warnings.
 * @returns The non-empty values.
 */
export function texts(ds: NaturalizedDataset, keyword: string, reader: AttributeReader): string[] {
  return values(ds, keyword)
    .flatMap((v) => (typeof v === 'string' ? v.split('\\') : [v]))
    .map((v) => clean(v, keyword, reader))
    .filter((v): v is string => v !== undefined);
}

/**
 * Reads an IS/US/DS value as a number.
 * @param ds - The naturalized dataset.
 * @param keyword - The DICOM keyword.
 * @returns The number, or undefined when absent, empty or not numeric.
 */
export function integer(ds: NaturalizedDataset, keyword: string): number | undefined {
  const v = values(ds, keyword)[0];
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isInteger(n) ? n : undefined;
}

/**
 * Reads the items of a sequence attribute.
 * @param ds - The naturalized dataset.
 * @param keyword - The DICOM keyword of the sequence.
 * @returns The items (naturalized datasets).
 */
export function items(ds: NaturalizedDataset, keyword: string): NaturalizedDataset[] {
  return values(ds, keyword).filter((v): v is NaturalizedDataset => typeof v === 'object' && v !== null);
}

function alphabetic(value: unknown): string | undefined {
  if (typeof value === 'string') {
    return value.split('=')[0];
  }
  if (typeof value === 'object' && value !== null && 'Alphabetic' in value) {
    const a = (value as { Alphabetic?: unknown }).Alphabetic;
    return typeof a === 'string' ? a : undefined;
  }
  return undefined;
}

function personName(value: unknown, keyword: string, reader: AttributeReader): PersonName | undefined {
  const group = clean(alphabetic(value), keyword, reader);
  if (!group) {
    return undefined;
  }
  const [family, given, middle, prefix, suffix] = group.split('^').map((c) => c.trim() || undefined);
  if (!family && !given && !middle && !prefix && !suffix) {
    return undefined;
  }
  return { family, given, middle, prefix, suffix };
}

/**
 * Reads the first PN value's alphabetic component group.
 * @param ds - The naturalized dataset.
 * @param keyword - The DICOM keyword.
 * @param reader - Collects warnings.
 * @returns The name's five components, or undefined when absent or all empty (e.g. `^^^^`).
 */
export function person(ds: NaturalizedDataset, keyword: string, reader: AttributeReader): PersonName | undefined {
  return persons(ds, keyword, reader)[0];
}

/**
 * Reads every PN value of a multi-valued PN attribute.
 * @param ds - The naturalized dataset.
 * @param keyword - The DICOM keyword.
 * @param reader - Collects warnings.
 * @returns The names that have at least one component.
 */
export function persons(ds: NaturalizedDataset, keyword: string, reader: AttributeReader): PersonName[] {
  return values(ds, keyword)
    .flatMap((v) => (typeof v === 'string' ? v.split('\\') : [v]))
    .map((v) => personName(v, keyword, reader))
    .filter((v): v is PersonName => v !== undefined);
}

/**
 * Reads a code sequence (Code Sequence Macro items).
 * @param ds - The naturalized dataset.
 * @param keyword - The DICOM keyword of the sequence.
 * @param reader - Collects warnings.
 * @returns One entry per item that has a code value or a meaning.
 */
export function codes(ds: NaturalizedDataset, keyword: string, reader: AttributeReader): CodedEntry[] {
  return items(ds, keyword)
    .map((item) => ({
      value:
        text(item, 'CodeValue', reader) ?? text(item, 'LongCodeValue', reader) ?? text(item, 'URNCodeValue', reader),
      scheme: text(item, 'CodingSchemeDesignator', reader),
      schemeVersion: text(item, 'CodingSchemeVersion', reader),
      meaning: text(item, 'CodeMeaning', reader),
    }))
    .filter((c) => c.value !== undefined || c.meaning !== undefined);
}

/**
 * Reads an issuer (IssuerOfPatientID + IssuerOfPatientIDQualifiersSequence, or an HL7v2 HD sequence item such as
 * IssuerOfAccessionNumberSequence).
 * @param localNamespace - The local namespace entity id, if any.
 * @param qualifiers - The item carrying UniversalEntityID / UniversalEntityIDType.
 * @param reader - Collects warnings.
 * @returns The issuer, or undefined when nothing identifies one.
 */
export function issuer(
  localNamespace: string | undefined,
  qualifiers: NaturalizedDataset | undefined,
  reader: AttributeReader
): Issuer | undefined {
  const universalEntityId = qualifiers ? text(qualifiers, 'UniversalEntityID', reader) : undefined;
  const universalEntityIdType = qualifiers ? text(qualifiers, 'UniversalEntityIDType', reader) : undefined;
  const ns = localNamespace ?? (qualifiers ? text(qualifiers, 'LocalNamespaceEntityID', reader) : undefined);
  if (!ns && !universalEntityId) {
    return undefined;
  }
  return { localNamespace: ns, universalEntityId, universalEntityIdType };
}
