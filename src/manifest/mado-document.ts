/**
 * What IHE MADO adds to a manifest: the creator Device (this software), the creator Organization, and the
 * Composition that makes the Bundle a document.
 *
 * | Source | FHIR |
 * |---|---|
 * | InstitutionName (0008,0080) | Organization.name (absent: data-absent-reason `unknown`, as MADO does for unknown values) |
 * | this software | Device (MadoCreator): type mado-creator, manufacturer, version |
 * | manifest identifier | Composition.identifier (system urn:dicom:uid) |
 */
import type { Composition, Device, ImagingStudy, Organization, Patient } from '@medplum/fhirtypes';
import { entry, ref, type Entry, type MappingContext } from '../mapping/context.ts';
import { deterministicUuid } from '../mapping/ids.ts';

/** The name and version the creator Device carries. */
export const CREATOR = { manufacturer: 'medplum-imaging-manifest', version: '0.1.0' };

const DAR = 'http://hl7.org/fhir/StructureDefinition/data-absent-reason';

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The MADO-only entries. */
export interface MadoEntries {
  composition: Entry<Composition>;
  creator: Entry<Device>;
  organization: Entry<Organization>;
}

/**
 * Builds the Composition, creator Device and Organization of a MADO document.
 * @param ctx - The mapping context.
 * @param imagingStudy - The study entry.
 * @param patient - The patient entry.
 * @param manifestUid - The manifest's UID (Bundle.identifier).
 * @param date - The document's date.
 * @returns The entries.
 */
export function mapMadoDocument(
  ctx: MappingContext,
  imagingStudy: Entry<ImagingStudy>,
  patient: Entry<Patient>,
  manifestUid: string,
  date: string
): MadoEntries {
  const institution = ctx.study.series.find((s) => s.equipment.institutionName)?.equipment.institutionName;
  const organization = entry<Organization>({
    resourceType: 'Organization',
    id: deterministicUuid('Organization', institution ?? `unknown|${ctx.study.studyInstanceUid}`),
    meta: { profile: [ctx.profiles.profiles.creatorOrganization ?? ''] },
    ...(institution ? { name: institution } : { _name: { extension: [{ url: DAR, valueCode: 'unknown' }] } }),
  });
  const creator = entry<Device>({
    resourceType: 'Device',
    id: deterministicUuid('Device', 'mado-creator', CREATOR.manufacturer, organization.resource.id),
    meta: { profile: [ctx.profiles.profiles.creator ?? ''] },
    manufacturer: CREATOR.manufacturer,
    version: [{ value: CREATOR.version }],
    type: {
      coding: [
        {
          system: 'https://profiles.ihe.net/RAD/MADO/CodeSystem/MadoDeviceType',
          code: 'mado-creator',
          display: 'MADO Creator',
        },
      ],
    },
    owner: ref(organization),
  });
  const s = imagingStudy.resource;
  const rows: [string, string | undefined][] = [
    ['Study Instance UID', ctx.study.studyInstanceUid],
    ['Study start', s.started],
    ['Modalities', s.modality?.map((m) => m.code).join(', ')],
    ['Description', s.description],
    ['Series / instances', `${s.numberOfSeries ?? 0} / ${s.numberOfInstances ?? 0}`],
  ];
  const div =
    '<div xmlns="http://www.w3.org/1999/xhtml"><h1>Imaging study manifest</h1><table><tbody>' +
    rows
      .filter((r): r is [string, string] => !!r[1])
      .map(([k, v]) => `<tr><td><b>${escapeXml(k)}</b></td><td>${escapeXml(v)}</td></tr>`)
      .join('') +
    '</tbody></table></div>';
  const composition = entry<Composition>({
    resourceType: 'Composition',
    id: deterministicUuid('Composition', manifestUid),
    meta: { profile: [ctx.profiles.profiles.composition ?? ''] },
    text: { status: 'generated', div },
    identifier: { system: 'urn:dicom:uid', value: `urn:oid:${manifestUid}` },
    status: 'final',
    type: { coding: [{ system: 'http://loinc.org', code: '18748-4', display: 'Diagnostic imaging study' }] },
    subject: ref(patient),
    date,
    author: [ref(creator), ref(organization)],
    title: 'Imaging study manifest',
    event: [{ detail: [ref(imagingStudy)] }],
  });
  return { composition, creator, organization };
}
