/**
 * `imaging-manifest setup`: prepares a Medplum project for the bots in one go, safe to re-run. It checks the
 * project's features, writes the secrets, creates or updates the Bots and deploys their code, the Subscriptions,
 * the $generate-fhir-manifest OperationDefinition and an AccessPolicy that lets the bots touch only what they need.
 * Each step compares with what is stored and writes only a difference; `dryRun` reports the same actions and writes
 * nothing.
 */
import { createHash } from 'node:crypto';
import { deepEquals, type MedplumClient, type WithId } from '@medplum/core';
import type {
  AccessPolicy,
  Bot,
  OperationDefinition,
  Project,
  ProjectMembership,
  ProjectSetting,
  Resource,
  Subscription,
} from '@medplum/fhirtypes';
import { BOTS, generateManifestOperation, subscriptionFor, type BotSpec } from './deployment.ts';

/** Setup options (the CLI flags). */
export interface SetupOptions {
  dicomwebBase?: string;
  viewerUrl?: string;
  flavor: 'eu' | 'mado';
  runtime: 'vmcontext' | 'awslambda';
  dryRun: boolean;
  /** Secrets taken from the environment (PACS credentials), never from flags. */
  extraSecrets?: Record<string, string | undefined>;
  /** Reads a built bot (dist/*.js) and its source. */
  readFile: (path: string) => string;
}

/** One line of what setup did or would do. */
export interface SetupAction {
  kind: 'ok' | 'create' | 'update' | 'deploy' | 'unchanged' | 'manual';
  text: string;
}

/** The result: the actions, the bot ids (for medplum.config.json) and whether an administrator must act. */
export interface SetupResult {
  actions: SetupAction[];
  botIds: Record<string, string>;
  needsAdministrator: boolean;
}

const SETUP_TAG = 'https://medplum-imaging-manifest/setup';
const CODE_HASH_SYSTEM = 'https://medplum-imaging-manifest/bot-code-sha256';

/** Resource types the bots read or write. */
export const BOT_RESOURCE_TYPES = [
  'ImagingStudy',
  'Patient',
  'ServiceRequest',
  'Endpoint',
  'Device',
  'Practitioner',
  'PractitionerRole',
  'Organization',
  'Bundle',
  'Binary',
  'DocumentReference',
  'DicomStudy',
  'DicomSeries',
  'DicomInstance',
] as const;

function sameContent(a: Resource, b: Resource): boolean {
  const strip = (r: Resource): unknown => ({ ...r, id: undefined, meta: { tag: r.meta?.tag } });
  return deepEquals(strip(a), strip(b));
}

/**
 * Prepares the project.
 * @param medplum - A client logged in to the target project.
 * @param options - What to configure.
 * @param log - Receives each action as it happens.
 * @returns What was done.
 */
export async function setupProject(
  medplum: MedplumClient,
  options: SetupOptions,
  log: (action: SetupAction) => void
): Promise<SetupResult> {
  const actions: SetupAction[] = [];
  const say = (kind: SetupAction['kind'], text: string): void => {
    const action = { kind, text };
    actions.push(action);
    log(action);
  };
  const botIds: Record<string, string> = {};
  let needsAdministrator = false;

  const session = medplum.getProject();
  if (!session?.id) {
    throw new Error('the client is not logged in to a project (check MEDPLUM_CLIENT_ID / MEDPLUM_CLIENT_SECRET)');
  }
  // The stored Project (the login's copy may be older than a previous run's changes); a client that may not read it
  // works with the login's copy.
  const project = ((await medplum
    .readResource('Project', session.id, { cache: 'no-cache' } as RequestInit)
    .catch(() => undefined)) ?? session) as Project & { id: string };
  const features = project.features ?? [];
  if (!features.includes('bots')) {
    say(
      'manual',
      `Project/${project.id} lacks the 'bots' feature: a super administrator must add 'bots' to Project.features`
    );
    return { actions, botIds, needsAdministrator: true };
  }
  say(
    'ok',
    `Project/${project.id} has the 'bots' feature (transaction-bundles is not needed: writes are conditional creates and If-Match updates)`
  );

  // Secrets.
  const wanted: Record<string, string | undefined> = {
    MANIFEST_FLAVOR: options.flavor,
    DICOMWEB_BASE_URL: options.dicomwebBase,
    VIEWER_URL_TEMPLATE: options.viewerUrl,
    ...options.extraSecrets,
  };
  const current = project.secret ?? [];
  const next: ProjectSetting[] = [...current];
  const changed: string[] = [];
  for (const [name, value] of Object.entries(wanted)) {
    if (value === undefined) {
      continue;
    }
    const i = next.findIndex((s) => s.name === name);
    if (i < 0 || next[i].valueString !== value) {
      changed.push(name);
      next.splice(i < 0 ? next.length : i, i < 0 ? 0 : 1, { name, valueString: value });
    }
  }
  if (changed.length === 0) {
    say('unchanged', 'project secrets');
  } else if (!options.dryRun) {
    try {
      await medplum.updateResource({ ...project, secret: next });
      say('update', `project secrets ${changed.join(', ')}`);
    } catch {
      needsAdministrator = true;
      say(
        'manual',
        `a project administrator must set the secrets ${changed.join(', ')} (Project/${project.id} → Secrets)`
      );
    }
  } else {
    say('update', `project secrets ${changed.join(', ')}`);
  }

  // Bots, their code, schedule and Subscriptions.
  for (const spec of BOTS) {
    const id = await ensureBot(medplum, project.id, spec, options, say);
    if (id) {
      botIds[spec.name] = id;
    }
    for (const [i, sub] of spec.subscriptions.entries()) {
      const tag = { system: SETUP_TAG, code: `${spec.name}-subscription-${i}` };
      const desired: Subscription = { ...subscriptionFor(sub, id ?? 'new'), meta: { tag: [tag] } };
      await createOrUpdate(
        medplum,
        desired,
        `_tag=${encodeURIComponent(`${tag.system}|${tag.code}`)}`,
        `Subscription for ${spec.name} (${sub.reason ?? sub.criteria})`,
        options,
        say
      );
    }
    if (spec.operation) {
      const op: OperationDefinition = generateManifestOperation(id ?? 'new');
      await createOrUpdate(
        medplum,
        op,
        `url=${encodeURIComponent(op.url ?? '')}`,
        'OperationDefinition $generate-fhir-manifest',
        options,
        say
      );
    }
  }

  // Access policy for the bots' memberships.
  const policy: AccessPolicy = {
    resourceType: 'AccessPolicy',
    name: 'imaging-manifest-bots',
    meta: { tag: [{ system: SETUP_TAG, code: 'access-policy' }] },
    resource: BOT_RESOURCE_TYPES.map((resourceType) => ({ resourceType })),
  };
  const stored = await createOrUpdate(
    medplum,
    policy,
    `_tag=${encodeURIComponent(`${SETUP_TAG}|access-policy`)}`,
    'AccessPolicy imaging-manifest-bots',
    options,
    say
  );
  for (const [name, botId] of Object.entries(botIds)) {
    if (options.dryRun || !stored) {
      say('update', `ProjectMembership of ${name}: access policy imaging-manifest-bots`);
      continue;
    }
    try {
      const membership = (await medplum.searchOne('ProjectMembership', { profile: `Bot/${botId}` })) as
        ProjectMembership | undefined;
      if (!membership) {
        say('manual', `no ProjectMembership found for Bot/${botId}: assign AccessPolicy/${stored.id} to it`);
        needsAdministrator = true;
      } else if (membership.accessPolicy?.reference === `AccessPolicy/${stored.id}`) {
        say('unchanged', `ProjectMembership of ${name}`);
      } else {
        await medplum.updateResource({ ...membership, accessPolicy: { reference: `AccessPolicy/${stored.id}` } });
        say('update', `ProjectMembership of ${name}: access policy imaging-manifest-bots`);
      }
    } catch {
      needsAdministrator = true;
      say('manual', `a project administrator must assign AccessPolicy/${stored.id} to Bot/${botId}'s membership`);
    }
  }
  return { actions, botIds, needsAdministrator };
}

async function createOrUpdate<T extends Resource>(
  medplum: MedplumClient,
  desired: T,
  query: string,
  label: string,
  options: SetupOptions,
  say: (kind: SetupAction['kind'], text: string) => void
): Promise<(T & { id: string }) | undefined> {
  const existing = (await medplum.searchOne(desired.resourceType, query)) as (T & { id: string }) | undefined;
  if (existing && sameContent(existing, desired)) {
    say('unchanged', label);
    return existing;
  }
  say(existing ? 'update' : 'create', label);
  if (options.dryRun) {
    return existing;
  }
  return existing
    ? await medplum.updateResource({
        ...desired,
        id: existing.id,
        meta: { ...existing.meta, tag: desired.meta?.tag },
      })
    : await medplum.createResource(desired);
}

async function ensureBot(
  medplum: MedplumClient,
  projectId: string,
  spec: BotSpec,
  options: SetupOptions,
  say: (kind: SetupAction['kind'], text: string) => void
): Promise<string | undefined> {
  const code = options.readFile(spec.dist);
  const hash = createHash('sha256').update(code).digest('hex');
  let bot: WithId<Bot> | undefined = await medplum.searchOne('Bot', { name: spec.name });
  if (!bot) {
    say('create', `Bot ${spec.name} (runtime ${options.runtime})`);
    if (options.dryRun) {
      say('deploy', `Bot ${spec.name}: ${spec.dist} (${(code.length / 1024).toFixed(0)} KB)`);
      return undefined;
    }
    bot = await medplum.post<WithId<Bot>>(`admin/projects/${projectId}/bot`, {
      name: spec.name,
      description: spec.description,
      runtimeVersion: options.runtime,
    });
  }
  const desired: Bot & { id: string } = {
    ...bot,
    description: spec.description,
    runtimeVersion: options.runtime,
    ...(spec.cronString ? { cronString: spec.cronString } : {}),
    identifier: [{ system: CODE_HASH_SYSTEM, value: hash }],
  };
  const deployed = bot.identifier?.some((i) => i.system === CODE_HASH_SYSTEM && i.value === hash);
  if (!deployed) {
    say('deploy', `Bot ${spec.name}: ${spec.dist} (${(code.length / 1024).toFixed(0)} KB)`);
    if (!options.dryRun) {
      await medplum.post(medplum.fhirUrl('Bot', bot.id, '$deploy'), { code, filename: `${spec.name}.js` });
    }
  }
  if (sameContent(bot, desired)) {
    say('unchanged', `Bot ${spec.name}`);
  } else {
    say(
      'update',
      `Bot ${spec.name} (runtime ${options.runtime}${spec.cronString ? `, schedule ${spec.cronString}` : ''})`
    );
    if (!options.dryRun) {
      await medplum.updateResource(desired);
    }
  }
  return bot.id;
}
