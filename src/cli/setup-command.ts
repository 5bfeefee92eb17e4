/**
 * `imaging-manifest setup [--dicomweb-base URL] [--viewer-url TEMPLATE] [--flavor eu|mado]
 *  [--runtime vmcontext|awslambda] [--dry-run]` with MEDPLUM_BASE_URL, MEDPLUM_CLIENT_ID and MEDPLUM_CLIENT_SECRET
 * naming a client of the target project. PACS credentials come from the environment (DICOMWEB_AUTHORIZATION, or
 * DICOMWEB_USERNAME and DICOMWEB_PASSWORD) and become project secrets. Run `npm run build` first (it builds dist/).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { MedplumClient } from '@medplum/core';
import { BOTS } from '../medplum/deployment.ts';
import { setupProject } from '../medplum/setup.ts';
import { parseFlavor, type Io } from './io.ts';
import { UsageError } from './usage-error.ts';

/**
 * Runs `setup`.
 * @param args - The arguments after the command name.
 * @param io - Output streams.
 * @param env - The environment (MEDPLUM_* and DICOMWEB_* variables).
 * @param client - A logged-in client (tests); by default one is made from the environment.
 * @returns 0 when the project is ready, 1 when an administrator must act.
 */
export async function setupCommand(
  args: string[],
  io: Io,
  env: Record<string, string | undefined> = process.env,
  client?: MedplumClient
): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      'dicomweb-base': { type: 'string' },
      'viewer-url': { type: 'string' },
      flavor: { type: 'string', default: 'eu' },
      runtime: { type: 'string', default: 'awslambda' },
      'dry-run': { type: 'boolean', default: false },
    },
  });
  const runtime = values.runtime;
  if (runtime !== 'vmcontext' && runtime !== 'awslambda') {
    throw new UsageError('--runtime must be vmcontext (self-hosted) or awslambda (hosted Medplum)');
  }
  const missing = BOTS.filter((b) => !existsSync(b.dist)).map((b) => b.dist);
  if (missing.length) {
    throw new UsageError(`the bots are not built (${missing.join(', ')}): run npm run build first`);
  }
  let medplum = client;
  if (!medplum) {
    const { MEDPLUM_BASE_URL, MEDPLUM_CLIENT_ID, MEDPLUM_CLIENT_SECRET } = env;
    if (!MEDPLUM_BASE_URL || !MEDPLUM_CLIENT_ID || !MEDPLUM_CLIENT_SECRET) {
      throw new UsageError(
        'set MEDPLUM_BASE_URL, MEDPLUM_CLIENT_ID and MEDPLUM_CLIENT_SECRET (a client of the target project)'
      );
    }
    medplum = new MedplumClient({ baseUrl: MEDPLUM_BASE_URL });
    await medplum.startClientLogin(MEDPLUM_CLIENT_ID, MEDPLUM_CLIENT_SECRET);
  }
  const result = await setupProject(
    medplum,
    {
      dicomwebBase: values['dicomweb-base'],
      viewerUrl: values['viewer-url'],
      flavor: parseFlavor(values.flavor),
      runtime,
      dryRun: values['dry-run'],
      extraSecrets: {
        DICOMWEB_AUTHORIZATION: env.DICOMWEB_AUTHORIZATION,
        DICOMWEB_USERNAME: env.DICOMWEB_USERNAME,
        DICOMWEB_PASSWORD: env.DICOMWEB_PASSWORD,
      },
      readFile: (path) => readFileSync(path, 'utf8'),
    },
    (a) => {
      io.out(`${values['dry-run'] ? 'would ' : ''}${a.kind}: ${a.text}`);
    }
  );
  if (!values['dry-run'] && Object.keys(result.botIds).length) {
    // Bot ids belong to one project: they go into the working copy of medplum.config.json, not into git.
    const config = JSON.parse(readFileSync('medplum.config.json', 'utf8')) as { bots: { name: string; id?: string }[] };
    config.bots = config.bots.map((b) => ({ ...b, id: result.botIds[b.name] ?? b.id }));
    writeFileSync('medplum.config.json', `${JSON.stringify(config, null, 2)}\n`);
  }
  return result.needsAdministrator ? 1 : 0;
}
