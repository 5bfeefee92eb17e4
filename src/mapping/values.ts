/**
 * DICOM value representations → FHIR primitive and data types.
 *
 * Time zone rule: FHIR requires a zone on every dateTime that has a time. The zone is TimezoneOffsetFromUTC
 * (0008,0201) when the dataset has it; otherwise the configured zone (`--timezone`, an IANA name or `±HH:MM`,
 * default the machine's zone), taking that zone's offset on that date (daylight saving included). A DA without a
 * TM stays a FHIR `date`.
 */
import type { Coding, HumanName } from '@medplum/fhirtypes';
import type { CodedEntry, PersonName } from '../dicom/study-model.ts';

/**
 * DA (`YYYYMMDD`, also the ACR-NEMA `YYYY.MM.DD`) → FHIR date.
 * @param da - The DICOM date.
 * @returns `YYYY-MM-DD`, or undefined when the value is not a valid date.
 */
export function toFhirDate(da: string | undefined): string | undefined {
  const m = da ? /^(\d{4})\.?(\d{2})\.?(\d{2})$/.exec(da.trim()) : null;
  if (!m) {
    return undefined;
  }
  const [, y, mo, d] = m;
  const date = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)));
  if (date.getUTCMonth() !== Number(mo) - 1 || date.getUTCDate() !== Number(d)) {
    return undefined;
  }
  return `${y}-${mo}-${d}`;
}

/**
 * TM (`HH`, `HHMM`, `HHMMSS`, `HHMMSS.FFFFFF`, also `HH:MM:SS`) → `hh:mm:ss[.fff]`.
 * @param tm - The DICOM time.
 * @returns The FHIR time, or undefined when the value is not a valid time.
 */
export function toFhirTime(tm: string | undefined): string | undefined {
  const m = tm ? /^(\d{2}):?(\d{2})?:?(\d{2})?(?:\.(\d{1,6}))?$/.exec(tm.trim()) : null;
  if (!m) {
    return undefined;
  }
  const [, hh, mm = '00', ss = '00', frac] = m;
  if (Number(hh) > 23 || Number(mm) > 59 || Number(ss) > 60) {
    return undefined;
  }
  // FHIR allows any precision; trailing zeros of the fraction carry no information.
  const fraction = frac?.replace(/0+$/, '');
  return `${hh}:${mm}:${ss === '60' ? '59' : ss}${fraction ? `.${fraction}` : ''}`;
}

/**
 * TimezoneOffsetFromUTC (`+HHMM` / `-HHMM`) → `+HH:MM`.
 * @param offset - The DICOM offset.
 * @returns The FHIR offset, or undefined when invalid.
 */
export function toFhirOffset(offset: string | undefined): string | undefined {
  const m = offset ? /^([+-])(\d{2}):?(\d{2})$/.exec(offset.trim()) : null;
  return m ? `${m[1]}${m[2]}:${m[3]}` : undefined;
}

/**
 * The UTC offset of a zone at a local wall-clock time.
 * @param zone - An IANA zone name (`Europe/Amsterdam`) or a fixed offset (`+01:00`, `Z`).
 * @param localDate - `YYYY-MM-DD`.
 * @param localTime - `hh:mm:ss`.
 * @returns The offset as `+HH:MM`.
 * @throws RangeError when the zone is unknown.
 */
export function zoneOffset(zone: string, localDate: string, localTime: string): string {
  if (zone === 'Z' || zone === 'UTC') {
    return '+00:00';
  }
  const fixed = toFhirOffset(zone);
  if (fixed) {
    return fixed;
  }
  const asUtc = Date.parse(`${localDate}T${localTime.slice(0, 8)}Z`);
  const offsetAt = (instant: number): number => {
    const name = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' })
      .formatToParts(new Date(instant))
      .find((p) => p.type === 'timeZoneName')?.value;
    const m = name ? /GMT(?:([+-])(\d{2}):(\d{2}))?/.exec(name) : null;
    return m?.[1] ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
  };
  // The wall time is local: the offset at (wall time - offset) is the one in force, refined once for DST edges.
  const first = offsetAt(asUtc);
  const minutes = offsetAt(asUtc - first * 60_000);
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/**
 * DA + TM (+ TimezoneOffsetFromUTC) → FHIR dateTime; a date without a time stays a date.
 * @param da - The DICOM date.
 * @param tm - The DICOM time.
 * @param offset - TimezoneOffsetFromUTC, if the dataset has one.
 * @param zone - The configured zone used when the dataset has no offset.
 * @returns The FHIR dateTime or date, or undefined without a valid date.
 */
export function toFhirDateTime(
  da: string | undefined,
  tm: string | undefined,
  offset: string | undefined,
  zone: string
): string | undefined {
  const date = toFhirDate(da);
  if (!date) {
    return undefined;
  }
  const time = toFhirTime(tm);
  if (!time) {
    return date;
  }
  return `${date}T${time}${toFhirOffset(offset) ?? zoneOffset(zone, date, time)}`;
}

/**
 * DT (`YYYYMMDDHHMMSS.FFFFFF&ZZXX`, any trailing part optional) → FHIR dateTime.
 * @param dt - The DICOM date-time.
 * @param offset - TimezoneOffsetFromUTC, used when the value has no suffix.
 * @param zone - The configured zone used otherwise.
 * @returns The FHIR dateTime (or partial date), or undefined when invalid.
 */
export function dtToFhirDateTime(dt: string | undefined, offset: string | undefined, zone: string): string | undefined {
  const m = dt
    ? /^(\d{4})(\d{2})?(\d{2})?(\d{2}(?:\d{2}(?:\d{2}(?:\.\d{1,6})?)?)?)?([+-]\d{4})?$/.exec(dt.trim())
    : null;
  if (!m) {
    return undefined;
  }
  const [, y, mo, d, tm, suffix] = m;
  if (!mo) {
    return y;
  }
  if (!d) {
    return `${y}-${mo}`;
  }
  return toFhirDateTime(`${y}${mo}${d}`, tm, suffix ?? offset, zone);
}

/**
 * PN alphabetic group → HumanName, keeping all five components: family, given and middle (both `given`),
 * prefix, suffix.
 * @param name - The DICOM person name.
 * @returns The HumanName.
 */
export function toHumanName(name: PersonName): HumanName {
  const given = [name.given, name.middle].filter((g): g is string => !!g);
  const text = [name.prefix, ...given, name.family, name.suffix].filter(Boolean).join(' ');
  return {
    ...(name.family ? { family: name.family } : {}),
    ...(given.length ? { given } : {}),
    ...(name.prefix ? { prefix: [name.prefix] } : {}),
    ...(name.suffix ? { suffix: [name.suffix] } : {}),
    text,
  };
}

/** Coding scheme designators (PS3.16 Section 8) → FHIR code system URIs. */
const CODING_SCHEMES: Record<string, string> = {
  DCM: 'http://dicom.nema.org/resources/ontology/DCM',
  SCT: 'http://snomed.info/sct',
  SRT: 'http://snomed.info/sct',
  LN: 'http://loinc.org',
  RADLEX: 'http://radlex.org',
  RADLEXPLAYBOOK: 'http://www.radlex.org',
  UCUM: 'http://unitsofmeasure.org',
  I10: 'http://hl7.org/fhir/sid/icd-10',
  ICD10: 'http://hl7.org/fhir/sid/icd-10',
  C4: 'http://www.ama-assn.org/go/cpt',
};

/**
 * A Code Sequence item → Coding. Known scheme designators map to their FHIR URI; others (local schemes such as
 * `99LOCAL`) keep the code without a system.
 * @param entry - The DICOM code.
 * @returns The Coding.
 */
export function toCoding(entry: CodedEntry): Coding {
  const system = entry.scheme ? CODING_SCHEMES[entry.scheme.toUpperCase()] : undefined;
  return {
    ...(system ? { system } : {}),
    ...(entry.value ? { code: entry.value } : {}),
    ...(entry.meaning ? { display: entry.meaning } : {}),
  };
}
