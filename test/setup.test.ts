/**
 * `imaging-manifest setup` against the in-memory Medplum: creates what the project needs, is a no-op when re-run,
 * writes nothing with --dry-run, and tells the administrator what to enable when it cannot itself.
 */
import { existsSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import type { MockClient } from '@medplum/mock';
import { beforeAll, describe, expect, test, vi, type MockInstance } from 'vitest';
import { setupCommand } from '../src/cli/setup-command.ts';
import { createEmbeddedMedplum } from '../src/embedded/embedded-medplum.ts';
import { BOTS } from '../src/medplum/deployment.ts';
import { setupProject, type SetupAction, type SetupOptions } from '../src/medplum/setup.ts';
import { fixturePath } from './helpers/fixtures.ts';

const root = fixturePath('../..');

beforeAll(() => {
  if (BOTS.some((b) => !existsSync(`${root}/${b.dist}`))) {
    execFileSync(process.execPath, ['--import', 'tsx', 'scripts/build-bots.ts'], { cwd: root, stdio: 'pipe' });
  }
});

const options: SetupOptions = {
  flavor: 'eu',
  runtime: 'vmcontext',
  dryRun: false,
  dicomwebBase: 'https://pacs.example/dicom-web',
  viewerUrl: 'https://viewer.example/?s={studyInstanceUid}',
  readFile: (path) => readFileSync(`${root}/${path}`, 'utf8'),
};

/** The mock has no Bot/$deploy: record deployments instead. */
function recordDeploys(medplum: MockClient): { deploys: string[]; writes: MockInstance[] } {
  const deploys: string[] = [];
  const post = medplum.post.bind(medplum);
  vi.spyOn(medplum, 'post').mockImplementation(((url: string | URL, body: unknown) => {
    if (String(url).endsWith('/$deploy')) {
      deploys.push(String(url));
      return Promise.resolve({});
    }
    return post(url, body);
  }) as MockClient['post']);
  const writes = (['createResource', 'updateResource', 'patchResource'] as const).map((m) => vi.spyOn(medplum, m));
  return { deploys, writes };
}

async function run(medplum: MockClient, opts: SetupOptions): Promise<SetupAction[]> {
  return (await setupProject(medplum, opts, () => undefined)).actions;
}

describe('setup', () => {
  test('creates the bots, deploys them, and creates Subscriptions, the operation and the access policy', async () => {
    const medplum = createEmbeddedMedplum();
    const { deploys } = recordDeploys(medplum);
    const actions = await run(medplum, options);
    expect(deploys).toHaveLength(4);
    const bots = await medplum.searchResources('Bot');
    expect(bots.map((b) => b.name).sort()).toEqual(BOTS.map((b) => b.name).sort());
    expect(bots.find((b) => b.name === 'ingest-dicom')?.cronString).toBe('* * * * *');
    expect(bots.every((b) => b.runtimeVersion === 'vmcontext')).toBe(true);
    const subscriptions = await medplum.searchResources('Subscription');
    const enrich = bots.find((b) => b.name === 'enrich-imaging-study');
    expect(subscriptions.map((s) => s.channel.endpoint)).toEqual([
      `Bot/${enrich?.id ?? ''}`,
      `Bot/${enrich?.id ?? ''}`,
    ]);
    const [op] = await medplum.searchResources('OperationDefinition');
    expect(op).toMatchObject({ code: 'generate-fhir-manifest', resource: ['ImagingStudy'], instance: true });
    expect(op.extension?.[0].valueReference?.reference).toBe(
      `Bot/${bots.find((b) => b.name === 'generate-fhir-manifest')?.id ?? ''}`
    );
    const [policy] = await medplum.searchResources('AccessPolicy');
    expect(policy.resource?.map((r) => r.resourceType)).toContain('DocumentReference');
    expect(actions.filter((a) => a.kind === 'create').length).toBeGreaterThanOrEqual(4 + 2 + 1 + 1);
  });

  test('is safe to re-run: the second run changes nothing', async () => {
    const medplum = createEmbeddedMedplum();
    recordDeploys(medplum);
    await run(medplum, options);
    vi.restoreAllMocks();
    const { deploys, writes } = recordDeploys(medplum);
    const actions = await run(medplum, options);
    expect(deploys).toEqual([]);
    for (const w of writes) {
      expect(w).not.toHaveBeenCalled();
    }
    expect(actions.filter((a) => a.kind === 'create' || a.kind === 'deploy')).toEqual([]);
  });

  test('--dry-run prints each action and writes nothing', async () => {
    const medplum = createEmbeddedMedplum();
    const { deploys, writes } = recordDeploys(medplum);
    const lines: string[] = [];
    const cwd = process.cwd();
    process.chdir(root);
    try {
      const code = await setupCommand(
        ['--dry-run', '--runtime', 'vmcontext'],
        { out: (t) => lines.push(t), err: () => undefined },
        {},
        medplum
      );
      expect(code).toBe(0);
    } finally {
      process.chdir(cwd);
    }
    expect(lines).toContain('would create: Bot enrich-imaging-study (runtime vmcontext)');
    expect(lines.some((l) => l.startsWith('would deploy: Bot ingest-dicom: dist/ingest-dicom.js'))).toBe(true);
    expect(deploys).toEqual([]);
    for (const w of writes) {
      expect(w).not.toHaveBeenCalled();
    }
    expect(await medplum.searchResources('Bot')).toHaveLength(0);
  });

  test('a project without the bots feature gets an instruction for its administrator, and nothing is written', async () => {
    const medplum = createEmbeddedMedplum();
    medplum.mock.setProject({ resourceType: 'Project', id: 'p1', name: 'no bots', features: [] });
    const { writes } = recordDeploys(medplum);
    const result = await setupProject(medplum, options, () => undefined);
    expect(result.needsAdministrator).toBe(true);
    expect(result.actions).toEqual([
      {
        kind: 'manual',
        text: "Project/p1 lacks the 'bots' feature: a super administrator must add 'bots' to Project.features",
      },
    ]);
    for (const w of writes) {
      expect(w).not.toHaveBeenCalled();
    }
  });
});
