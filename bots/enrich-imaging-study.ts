/**
 * Bot `enrich-imaging-study`. Jobs 1 and 2 on ImagingStudy create/update/delete (Subscription): enrich the study, then publish its manifest; a deleted or entered-in-error study retires its DocumentReference.
 */
import type { BotEvent, MedplumClient } from '@medplum/core';
import { onImagingStudyEvent } from '../src/medplum/handlers.ts';

/**
 * @param medplum - The client the server gives the bot.
 * @param event - The bot event.
 * @returns The job's result.
 */
export async function handler(medplum: MedplumClient, event: BotEvent): Promise<unknown> {
  return onImagingStudyEvent(medplum, event);
}
