/**
 * A whole Medplum project in memory: the bots of src/medplum/deployment.ts (their real entry points in bots/),
 * their Subscriptions and the $generate-fhir-manifest operation, wired by the SubscriptionRunner.
 */
import type { ProjectSetting } from '@medplum/fhirtypes';
import type { MockClient } from '@medplum/mock';
import { handler as enrich } from '../../bots/enrich-imaging-study.ts';
import { handler as generate } from '../../bots/generate-fhir-manifest.ts';
import { handler as ingest } from '../../bots/ingest-dicom.ts';
import { handler as publish } from '../../bots/publish-manifest.ts';
import { BOTS, subscriptionFor } from '../medplum/deployment.ts';
import { createEmbeddedMedplum } from './embedded-medplum.ts';
import { SubscriptionRunner, type BotHandler } from './subscription-runner.ts';

const HANDLERS: Record<string, BotHandler> = {
  'ingest-dicom': ingest,
  'enrich-imaging-study': enrich,
  'publish-manifest': publish,
  'generate-fhir-manifest': generate,
};

/** The in-memory project. */
export interface EmbeddedProject {
  medplum: MockClient;
  runner: SubscriptionRunner;
}

/**
 * @param secrets - The project secrets (configuration of the bots).
 * @param medplum - The in-memory Medplum to use (a new one by default).
 * @returns The project.
 */
export async function createEmbeddedProject(
  secrets: Record<string, ProjectSetting>,
  medplum: MockClient = createEmbeddedMedplum()
): Promise<EmbeddedProject> {
  const runner = new SubscriptionRunner(medplum, secrets);
  for (const spec of BOTS) {
    const bot = await medplum.createResource({ resourceType: 'Bot', name: spec.name, description: spec.description });
    const subscriptions = [];
    for (const s of spec.subscriptions) {
      subscriptions.push(await medplum.createResource(subscriptionFor(s, bot.id)));
    }
    runner.register(
      { name: spec.name, id: bot.id, handler: HANDLERS[spec.name] },
      subscriptions,
      spec.operation ? 'generate-fhir-manifest' : undefined
    );
  }
  return { medplum, runner };
}

/**
 * Project secrets from plain values.
 * @param values - Secret name → value (undefined values are left out).
 * @returns The secrets as Medplum gives them to bots.
 */
export function secretsOf(values: Record<string, string | undefined>): Record<string, ProjectSetting> {
  return Object.fromEntries(
    Object.entries(values)
      .filter((e): e is [string, string] => e[1] !== undefined)
      .map(([name, valueString]) => [name, { name, valueString }])
  );
}
