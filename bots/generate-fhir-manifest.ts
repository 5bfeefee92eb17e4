/**
 * Bot `generate-fhir-manifest`. Job 3: ImagingStudy/{id}/$generate-fhir-manifest returns the validated manifest without storing anything.
 */
import type { BotEvent, MedplumClient } from '@medplum/core';
import { onGenerateManifest } from '../src/medplum/handlers.ts';

/**
 * @param medplum - The client the server gives the bot.
 * @param event - The bot event.
 * @returns The job's result.
 */
export async function handler(medplum: MedplumClient, event: BotEvent): Promise<unknown> {
  return onGenerateManifest(medplum, event);
}
