/**
 * Bot `ingest-dicom`. Job 4: DICOM (Agent C-STORE notification, DICOM JSON, Part-10 Binary) into Medplum's DICOM store and an ImagingStudy; on its schedule, folds accumulated instances in.
 */
import type { BotEvent, MedplumClient } from '@medplum/core';
import { onIngest } from '../src/medplum/handlers.ts';

/**
 * @param medplum - The client the server gives the bot.
 * @param event - The bot event.
 * @returns The job's result.
 */
export async function handler(medplum: MedplumClient, event: BotEvent): Promise<unknown> {
  return onIngest(medplum, event);
}
