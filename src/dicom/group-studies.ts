/**
 * Groups instance records into studies → series → instances, deterministically: the same instances in any order
 * give the same model. A level's attribute comes from the first instance (by series number, instance number, UID)
 * that has it. Duplicate SOP Instance UIDs count once.
 */
import type { InstanceRecord } from './instance-record.ts';
import type { InstanceModel, SeriesModel, StudyModel } from './study-model.ts';

/** An instance record with the name of the source it came from (file name or `input[3]`). */
export interface SourcedRecord {
  record: InstanceRecord;
  source: string;
}

function compareOptionalNumbers(a: number | undefined, b: number | undefined): number {
  return (a ?? Number.MAX_SAFE_INTEGER) - (b ?? Number.MAX_SAFE_INTEGER);
}

function compareUids(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareRecords(a: InstanceRecord, b: InstanceRecord): number {
  return (
    compareUids(a.study.studyInstanceUid, b.study.studyInstanceUid) ||
    compareOptionalNumbers(a.series.seriesNumber, b.series.seriesNumber) ||
    compareUids(a.series.seriesInstanceUid, b.series.seriesInstanceUid) ||
    compareOptionalNumbers(a.instance.instanceNumber, b.instance.instanceNumber) ||
    compareUids(a.instance.sopInstanceUid, b.instance.sopInstanceUid)
  );
}

function isEmpty(v: unknown): boolean {
  return v === undefined || (Array.isArray(v) && v.length === 0);
}

/** Fills the attributes `target` lacks from `source` (sharing, not copying, its values), recursing into nested records. */
function fillMissing<T extends object>(target: T, source: T): void {
  const t = target as Record<string, unknown>;
  for (const [key, value] of Object.entries(source as Record<string, unknown>)) {
    const current = t[key];
    if (isEmpty(current)) {
      t[key] = value;
    } else if (
      typeof current === 'object' &&
      current &&
      !Array.isArray(current) &&
      typeof value === 'object' &&
      value
    ) {
      fillMissing(current, value);
    }
  }
}

/**
 * Groups instance records into studies.
 * @param records - The records with their sources.
 * @returns The studies, ordered by StudyInstanceUID, each with its series and instances ordered by number then UID.
 */
export function groupStudies(records: SourcedRecord[]): StudyModel[] {
  const sorted = [...records].sort((a, b) => compareRecords(a.record, b.record) || compareUids(a.source, b.source));
  const studies = new Map<string, StudyModel>();
  const seriesByUid = new Map<string, SeriesModel>();
  const seen = new Map<string, string>();
  for (const { record, source } of sorted) {
    let study = studies.get(record.study.studyInstanceUid);
    if (!study) {
      study = { ...structuredClone(record.study), series: [], warnings: [] };
      studies.set(record.study.studyInstanceUid, study);
    } else {
      fillMissing(study, record.study);
    }
    for (const w of record.warnings) {
      const message = `${source}: ${w}`;
      if (!study.warnings.includes(message)) {
        study.warnings.push(message);
      }
    }
    const firstSource = seen.get(record.instance.sopInstanceUid);
    if (firstSource !== undefined) {
      study.warnings.push(`${source}: duplicate SOP Instance UID (also in ${firstSource}); counted once`);
      continue;
    }
    seen.set(record.instance.sopInstanceUid, source);
    const seriesKey = `${record.study.studyInstanceUid}|${record.series.seriesInstanceUid}`;
    let series = seriesByUid.get(seriesKey);
    if (!series) {
      series = { ...structuredClone(record.series), instances: [] };
      seriesByUid.set(seriesKey, series);
      study.series.push(series);
    } else {
      fillMissing(series, record.series);
    }
    series.instances.push({ ...record.instance } satisfies InstanceModel);
  }
  for (const study of studies.values()) {
    const modalities = new Set<string>(study.series.map((s) => s.modality).filter((m): m is string => !!m));
    if (modalities.size === 0) {
      study.modalitiesInStudy.forEach((m) => modalities.add(m));
    }
    study.modalitiesInStudy = [...modalities].sort();
  }
  return [...studies.values()];
}
