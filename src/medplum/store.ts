/**
 * Writes that are safe to repeat and to race (see docs/bots.md):
 * - `ensureResource`: search by identifier first (a repeat run finds it and writes nothing), else a conditional
 *   create (`If-None-Exist`) on that identifier, so concurrent runs leave exactly one.
 * - `updateIfChanged`: compares with the stored version and writes only a real change, by id with `If-Match`;
 *   a lost race (409/412) re-reads and re-applies.
 */
import { deepEquals, type MedplumClient } from '@medplum/core';
import type { Identifier, Resource } from '@medplum/fhirtypes';
import { withRetry } from './retry.ts';

/** Request options that bypass MedplumClient's read cache (a bot must see what another run just wrote). */
export const NO_CACHE = { cache: 'no-cache' } as RequestInit;

/** A search value for `identifier`: `system|value`, or `|value` for an identifier without system. */
export function identifierQuery(identifier: Identifier): string {
  return `${identifier.system ?? ''}|${identifier.value ?? ''}`;
}

function uniqueQuery(unique: Identifier | string): string {
  return typeof unique === 'string' ? unique : `identifier=${encodeURIComponent(identifierQuery(unique))}`;
}

/**
 * Searches for the one resource a unique search (an identifier, or a query such as `sop-instance-uid=…`) names.
 * @param medplum - The client.
 * @param resourceType - The type.
 * @param unique - The identifier or query.
 * @param deadline - Retry until this time.
 * @returns The resource, or undefined.
 */
export async function findUnique<T extends Resource>(
  medplum: MedplumClient,
  resourceType: T['resourceType'],
  unique: Identifier | string,
  deadline: number
): Promise<(T & { id: string }) | undefined> {
  const found = await withRetry(() => medplum.searchOne(resourceType, uniqueQuery(unique), NO_CACHE), { deadline });
  return found as (T & { id: string }) | undefined;
}

/**
 * Creates a resource unless the unique search finds one (a conditional create: concurrent runs leave one).
 * @param medplum - The client.
 * @param resource - The resource (without id).
 * @param unique - The identifier or query that makes it unique.
 * @param deadline - Retry until this time.
 * @returns The created or found resource.
 */
export function createOnce<T extends Resource>(
  medplum: MedplumClient,
  resource: T,
  unique: Identifier | string,
  deadline: number
): Promise<T & { id: string }> {
  return withRetry(
    async () => (await medplum.createResourceIfNoneExist(resource, uniqueQuery(unique))) as T & { id: string },
    { deadline, conflicts: true }
  );
}

/**
 * Finds a resource by a unique search or creates it once (a conditional create, so concurrent runs leave one).
 * @param medplum - The client.
 * @param resource - The resource to create when none exists (without id).
 * @param unique - The identifier, or the search query, that makes it unique.
 * @param deadline - Retry until this time.
 * @returns The stored resource.
 */
export async function ensureResource<T extends Resource>(
  medplum: MedplumClient,
  resource: T,
  unique: Identifier | string,
  deadline: number
): Promise<T & { id: string }> {
  return (
    (await findUnique<T>(medplum, resource.resourceType, unique, deadline)) ??
    createOnce(medplum, resource, unique, deadline)
  );
}

/**
 * Makes the stored resource that `unique` names equal to `desired`: creates it once, or updates it (If-Match) when
 * its content differs; the stored id and version metadata are kept.
 * @param medplum - The client.
 * @param desired - The wanted content (without id).
 * @param unique - The identifier or query that names it.
 * @param deadline - Retry until this time.
 * @param found - The result of a search already made for `unique` (saves a second one); searched when omitted.
 * @returns The stored resource and whether it was written.
 */
export async function saveResource<T extends Resource>(
  medplum: MedplumClient,
  desired: T,
  unique: Identifier | string,
  deadline: number,
  found?: { resource: (T & { id: string }) | undefined }
): Promise<{ resource: T & { id: string }; written: boolean }> {
  const existing = found ? found.resource : await findUnique<T>(medplum, desired.resourceType, unique, deadline);
  if (!existing) {
    return { resource: await createOnce(medplum, desired, unique, deadline), written: true };
  }
  return updateIfChanged(
    medplum,
    existing,
    (cur) => ({
      ...desired,
      id: cur.id,
      meta: { ...cur.meta, profile: desired.meta?.profile, tag: desired.meta?.tag },
    }),
    deadline
  );
}

/** Meta fields that differ between versions without a change of content. */
function content(r: Resource): unknown {
  const { meta, ...rest } = r;
  return { ...rest, meta: meta?.profile || meta?.tag ? { profile: meta.profile, tag: meta.tag } : undefined };
}

/**
 * Applies a change to a stored resource and writes it only when something changed.
 * @param medplum - The client.
 * @param current - The resource as read.
 * @param change - Returns the desired resource from the current one (pure).
 * @param deadline - Retry until this time.
 * @returns The stored resource and whether it was written.
 */
export async function updateIfChanged<T extends Resource & { id?: string }>(
  medplum: MedplumClient,
  current: T,
  change: (current: T) => T,
  deadline: number
): Promise<{ resource: T; written: boolean }> {
  let latest = current;
  return withRetry(
    async (attempt) => {
      if (attempt > 0) {
        latest = (await medplum.readResource(current.resourceType, current.id ?? '', NO_CACHE)) as unknown as T;
      }
      const desired = change(structuredClone(latest));
      if (deepEquals(content(desired), content(latest))) {
        return { resource: latest, written: false };
      }
      const versionId = latest.meta?.versionId;
      const written = await medplum.updateResource(desired, {
        headers: versionId ? { 'If-Match': `W/"${versionId}"` } : {},
      });
      return { resource: written, written: true };
    },
    { deadline, conflicts: true }
  );
}
