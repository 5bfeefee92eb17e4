/**
 * Deterministic identities: name-based UUIDs (RFC 9562 v5) from DICOM identifiers, and UIDs derived from them
 * (the `2.25.<UUID as integer>` form of PS3.5 B.2). The same study always yields the same ids.
 */
import { v5 as uuidv5 } from 'uuid';

/** The namespace of every name-based UUID this project derives (itself a v5 UUID of the project's canonical name). */
const NAMESPACE = uuidv5('medplum-imaging-manifest', uuidv5.URL);

/**
 * A deterministic UUID for a resource.
 * @param parts - The identifying parts (resource type first, then DICOM identifiers).
 * @returns A lower-case UUID.
 */
export function deterministicUuid(...parts: (string | undefined)[]): string {
  return uuidv5(parts.map((p) => p ?? '').join('|'), NAMESPACE);
}

/**
 * A DICOM UID derived from a UUID (PS3.5 B.2: `2.25.` + the UUID as an unsigned decimal integer).
 * @param uuid - The UUID.
 * @returns The UID.
 */
export function uuidToUid(uuid: string): string {
  return `2.25.${BigInt(`0x${uuid.replace(/-/g, '')}`).toString()}`;
}
