/**
 * Bot configuration from the project's secrets (Project.secret / bot event `secrets`), never hard-coded.
 *
 * | secret | meaning | default |
 * |---|---|---|
 * | `DICOMWEB_BASE_URL` | WADO-RS base of the PACS | the study's WADO endpoint, else Medplum's own `{base}/dicomweb` |
 * | `DICOMWEB_AUTHORIZATION` | full Authorization header value for the PACS (`Basic …`, `Bearer …`) | none |
 * | `DICOMWEB_USERNAME` + `DICOMWEB_PASSWORD` | basic auth for the PACS, when no Authorization is given | none |
 * | `VIEWER_URL_TEMPLATE` | viewer launch template ({studyInstanceUid}, {accessionNumber}, {patientId}) | no viewer endpoint |
 * | `MANIFEST_FLAVOR` | `eu` or `mado` | `eu` |
 * | `PATIENT_ID_SYSTEM`, `ACCESSION_SYSTEM` | identifier systems when DICOM has no issuer | see docs/mapping.md |
 * | `TIMEZONE` | zone of DICOM times without offset | `UTC` |
 * | `MANIFEST_MAX_BYTES` | larger manifests are stored as a Binary | 900000 (Medplum's JSON limit is 1 MB) |
 */
import type { ProjectSetting } from '@medplum/fhirtypes';
import type { MappingOptions } from '../mapping/context.ts';
import type { Flavor } from '../profiles/profile-set.ts';

/** Everything the bots are configured with. */
export interface BotConfig extends MappingOptions {
  flavor: Flavor;
  /** Authorization header value for the PACS. */
  dicomwebAuthorization?: string;
  /** Manifests larger than this (bytes of JSON) are stored as a Binary. */
  maxManifestBytes: number;
}

function secret(secrets: Record<string, ProjectSetting | undefined>, name: string): string | undefined {
  const s = secrets[name];
  const value = s?.valueString ?? (s?.valueInteger !== undefined ? String(s.valueInteger) : undefined);
  return value?.trim() || undefined;
}

/**
 * Reads the configuration from bot secrets.
 * @param secrets - The event's secrets.
 * @returns The configuration.
 * @throws Error when a secret has an invalid value.
 */
export function configFromSecrets(secrets: Record<string, ProjectSetting | undefined>): BotConfig {
  const flavor = secret(secrets, 'MANIFEST_FLAVOR') ?? 'eu';
  if (flavor !== 'eu' && flavor !== 'mado') {
    throw new Error(`secret MANIFEST_FLAVOR must be eu or mado`);
  }
  const user = secret(secrets, 'DICOMWEB_USERNAME');
  const password = secret(secrets, 'DICOMWEB_PASSWORD');
  const basic = user && password ? `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` : undefined;
  const maxBytes = Number(secret(secrets, 'MANIFEST_MAX_BYTES') ?? 900_000);
  return {
    flavor,
    dicomwebBase: secret(secrets, 'DICOMWEB_BASE_URL')?.replace(/\/+$/, ''),
    dicomwebAuthorization: secret(secrets, 'DICOMWEB_AUTHORIZATION') ?? basic,
    viewerUrlTemplate: secret(secrets, 'VIEWER_URL_TEMPLATE'),
    patientIdSystem: secret(secrets, 'PATIENT_ID_SYSTEM'),
    accessionSystem: secret(secrets, 'ACCESSION_SYSTEM'),
    timezone: secret(secrets, 'TIMEZONE') ?? 'UTC',
    maxManifestBytes: Number.isFinite(maxBytes) && maxBytes > 0 ? maxBytes : 900_000,
  };
}
