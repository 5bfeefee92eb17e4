/**
 * Validates a manifest Bundle and returns one OperationOutcome with every issue.
 *
 * Layers: (1) @medplum/core's validateResource on the Bundle against the base R4 definitions (structure, unknown
 * properties, primitive formats, base cardinality, core invariants); (2) every reference must resolve to an entry
 * by its fullUrl (FHIR Bundle resolution rules); (3) the profile walk (profile-validator.ts) against the manifest
 * profile, which descends into entry, member and slice profiles; (4) the IG's commented-out manifest invariant
 * (an ImagingStudy must reference an endpoint), as a warning.
 */
import { OperationOutcomeError, validateResource } from '@medplum/core';
import type { Bundle, OperationOutcome, OperationOutcomeIssue, Resource } from '@medplum/fhirtypes';
import { EU_PROFILES, MADO_PROFILES, type Flavor } from '../profiles/profile-set.ts';
import { getConformance } from './conformance.ts';
import { validateProfile, type WalkContext } from './profile-validator.ts';

/**
 * The flavour a Bundle claims: MADO when it claims MadoFhirBundle or is a `document`, else `eu`.
 * @param bundle - The Bundle.
 * @returns The flavour.
 */
export function detectFlavor(bundle: Bundle): Flavor {
  const claimed = bundle.meta?.profile ?? [];
  if (claimed.includes(MADO_PROFILES.profiles.bundle)) {
    return 'mado';
  }
  if (claimed.includes(EU_PROFILES.profiles.bundle)) {
    return 'eu';
  }
  return bundle.type === 'document' ? 'mado' : 'eu';
}

function collectReferences(node: unknown, path: string, out: { path: string; reference: string }[]): void {
  if (Array.isArray(node)) {
    node.forEach((v, i) => {
      collectReferences(v, `${path}[${i}]`, out);
    });
  } else if (typeof node === 'object' && node !== null) {
    for (const [k, v] of Object.entries(node)) {
      if (k === 'reference' && typeof v === 'string') {
        out.push({ path: `${path}.reference`, reference: v });
      } else {
        collectReferences(v, `${path}.${k}`, out);
      }
    }
  }
}

/**
 * Resolves references inside a Bundle by fullUrl: exact match, or a relative `Type/id` against an absolute fullUrl
 * ending in it.
 * @param bundle - The Bundle.
 * @returns The resolver.
 */
export function bundleResolver(bundle: Bundle): (reference: string) => Resource | undefined {
  const byFullUrl = new Map<string, Resource>();
  for (const e of bundle.entry ?? []) {
    if (e.fullUrl && e.resource) {
      byFullUrl.set(e.fullUrl, e.resource);
    }
  }
  return (reference) => {
    const exact = byFullUrl.get(reference);
    if (exact || reference.includes(':')) {
      return exact;
    }
    for (const [fullUrl, resource] of byFullUrl) {
      if (fullUrl.endsWith(`/${reference}`)) {
        return resource;
      }
    }
    return undefined;
  };
}

function error(text: string, expression: string): OperationOutcomeIssue {
  return { severity: 'error', code: 'invalid', details: { text }, expression: [expression] };
}

const SEVERITY_ORDER: Record<string, number> = { fatal: 0, error: 1, warning: 2, information: 3 };

/**
 * Validates a manifest.
 * @param input - A parsed JSON value, expected to be a manifest Bundle.
 * @param flavor - The flavour to check against; detected from the Bundle when omitted.
 * @returns The OperationOutcome; it has an `error` or `fatal` issue exactly when the manifest is invalid.
 */
export function validateManifest(input: unknown, flavor?: Flavor): OperationOutcome {
  const issues: OperationOutcomeIssue[] = [];
  if (typeof input !== 'object' || input === null || (input as Resource).resourceType !== 'Bundle') {
    return {
      resourceType: 'OperationOutcome',
      issue: [{ ...error('not a FHIR Bundle', 'Bundle'), severity: 'fatal' }],
    };
  }
  const bundle = input as Bundle;
  const profiles = (flavor ?? detectFlavor(bundle)) === 'mado' ? MADO_PROFILES : EU_PROFILES;
  const conf = getConformance();
  conf.ensureResourceTypes((bundle.entry ?? []).map((e) => e.resource?.resourceType ?? 'Bundle'));

  try {
    issues.push(
      ...validateResource(bundle).filter((i) => !/urn:uuid|should be a reference/i.test(i.details?.text ?? ''))
    );
  } catch (err) {
    if (err instanceof OperationOutcomeError) {
      issues.push(...(err.outcome.issue ?? []));
    } else {
      issues.push(error(`base validation failed: ${(err as Error).message}`, 'Bundle'));
    }
  }

  const resolve = bundleResolver(bundle);
  const refs: { path: string; reference: string }[] = [];
  (bundle.entry ?? []).forEach((e, i) => {
    collectReferences(e.resource, `Bundle.entry[${i}].resource`, refs);
  });
  for (const r of refs) {
    if (!r.reference.startsWith('#') && !resolve(r.reference)) {
      issues.push(error(`reference ${r.reference} does not resolve to an entry of the Bundle`, r.path));
    }
  }

  const ctx: WalkContext = { conf, resolve, issues };
  validateProfile(profiles.profiles.bundle, bundle, 'Bundle', ctx);

  (bundle.entry ?? []).forEach((e, i) => {
    const r = e.resource;
    if (r?.resourceType === 'ImagingStudy' && !r.endpoint?.length && !r.series?.some((s) => s.endpoint?.length)) {
      issues.push({
        severity: 'warning',
        code: 'invariant',
        details: { text: 'Constraint imm-manifest-imagingstudy-01 not met: An endpoint must be provided' },
        expression: [`Bundle.entry[${i}].resource`],
      });
    }
  });

  const seen = new Set<string>();
  const unique = issues.filter((i) => {
    const key = `${i.severity}|${i.expression?.[0] ?? ''}|${i.details?.text ?? ''}`;
    return seen.has(key) ? false : (seen.add(key), true);
  });
  unique.sort(
    (a, b) => (SEVERITY_ORDER[a.severity ?? 'information'] ?? 3) - (SEVERITY_ORDER[b.severity ?? 'information'] ?? 3)
  );
  return {
    resourceType: 'OperationOutcome',
    issue: unique.length
      ? unique
      : [{ severity: 'information', code: 'informational', details: { text: 'manifest is valid' } }],
  };
}

/**
 * @param outcome - A validation result.
 * @returns True when it has no error or fatal issue.
 */
export function isValid(outcome: OperationOutcome): boolean {
  return !(outcome.issue ?? []).some((i) => i.severity === 'error' || i.severity === 'fatal');
}
