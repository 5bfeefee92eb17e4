/**
 * Bot `publish-manifest`. Job 2 on request ($execute with an ImagingStudy or a reference to one): build, validate and store the manifest.
 */
import type { BotEvent, MedplumClient } from '@medplum/core';
import { onPublishRequest } from '../src/medplum/handlers.ts';

/**
 * @param medplum - The client the server gives the bot.
 * @param event - The bot event.
 * @returns The job's result.
 */
export async function handler(medplum: MedplumClient, event: BotEvent): Promise<unknown> {
  return onPublishRequest(medplum, event);
}
