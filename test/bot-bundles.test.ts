/**
 * The built bots (dist/*.js) run in a node:vm context that has exactly the globals of Medplum's vmcontext sandbox
 * (../shared/medplum/NOTES.md): console, fetch, require, process, ContentType, Hl7Message, MedplumClient,
 * TextEncoder, TextDecoder, URL, URLSearchParams, event; the server's wrapper declares `exports` and `module`.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import vm from 'node:vm';
import { ContentType, Hl7Message, MedplumClient, type BotEvent } from '@medplum/core';
import type { Bundle, ImagingStudy } from '@medplum/fhirtypes';
import type { MockClient } from '@medplum/mock';
import { beforeAll, describe, expect, test } from 'vitest';
import { createEmbeddedMedplum } from '../src/embedded/embedded-medplum.ts';
import { secretsOf } from '../src/embedded/embedded-project.ts';
import { BOTS } from '../src/medplum/deployment.ts';
import { isValid, validateManifest } from '../src/validation/validate-manifest.ts';
import { dicomJsonOf } from './helpers/dicom-json.ts';
import { fixturePath } from './helpers/fixtures.ts';

const root = fixturePath('../..');

beforeAll(() => {
  if (BOTS.some((b) => !existsSync(`${root}/${b.dist}`))) {
    execFileSync(process.execPath, ['--import', 'tsx', 'scripts/build-bots.ts'], { cwd: root, stdio: 'pipe' });
  }
});

/** Runs a built bot the way the vmcontext runtime does. */
async function runBundle(
  name: string,
  medplum: MockClient,
  input: unknown
): Promise<{ result: unknown; logs: string[] }> {
  const spec = BOTS.find((b) => b.name === name);
  const code = readFileSync(`${root}/${spec?.dist ?? ''}`, 'utf8');
  const logs: string[] = [];
  const event: BotEvent = {
    bot: { reference: `Bot/${name}` },
    contentType: ContentType.FHIR_JSON,
    input,
    secrets: secretsOf({ TIMEZONE: 'UTC', BOT_TIME_BUDGET_MS: '20000' }),
  };
  const context = vm.createContext({
    console: {
      log: (...a: unknown[]) => logs.push(a.join(' ')),
      error: (...a: unknown[]) => logs.push(a.join(' ')),
      info: (...a: unknown[]) => logs.push(a.join(' ')),
      warn: (...a: unknown[]) => logs.push(a.join(' ')),
      debug: () => undefined,
    },
    fetch,
    require: createRequire(`${root}/package.json`),
    process,
    ContentType,
    Hl7Message,
    MedplumClient,
    TextEncoder,
    TextDecoder,
    URL,
    URLSearchParams,
    event,
    medplum,
  });
  const wrapped = `const exports = {};\nconst module = { exports };\n${code}\n;exports.handler(medplum, event);`;
  const result: unknown = await (vm.runInContext(wrapped, context) as Promise<unknown>);
  return { result, logs };
}

describe('built bots in the vmcontext sandbox', () => {
  test('every bundle exists, is CommonJS without import/export, and stays under 1 MB', () => {
    for (const bot of BOTS) {
      const code = readFileSync(`${root}/${bot.dist}`, 'utf8');
      expect(code).toContain('Object.assign(exports, module.exports)');
      expect(code).not.toMatch(/^\s*(import|export)\s/m);
      expect(code.length).toBeLessThan(1_048_576);
    }
  });

  test('ingest → enrich → publish → generate run from the bundles against the in-memory Medplum', async () => {
    const medplum = createEmbeddedMedplum();
    const ingested = await runBundle('ingest-dicom', medplum, dicomJsonOf('dicom/study-cr'));
    expect(ingested.result).toMatchObject({ instances: 3 });
    const [study] = (await medplum.searchResources('ImagingStudy')) as (ImagingStudy & { id: string })[];

    const enriched = await runBundle('enrich-imaging-study', medplum, study);
    expect(enriched.result).toMatchObject({ action: 'published' });
    expect(enriched.logs.join('\n')).toMatch(
      /ImagingStudy\/[0-9a-f-]+: (enriched|already enriched); manifest Bundle\//
    );
    expect(enriched.logs.join('\n')).not.toMatch(/Doe|Archibald|77654033/);
    const [doc] = await medplum.searchResources('DocumentReference', { related: `ImagingStudy/${study.id}` });
    expect(doc.status).toBe('current');

    const published = await runBundle('publish-manifest', medplum, { reference: `ImagingStudy/${study.id}` });
    expect(published.result).toMatchObject({ stored: true, writes: 0 }); // already published by enrichment

    const generated = await runBundle('generate-fhir-manifest', medplum, study);
    expect(isValid(validateManifest(generated.result as Bundle))).toBe(true);
  });
});
