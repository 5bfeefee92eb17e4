/**
 * What commands write to, so tests can capture it; and shared option parsing.
 */
import type { Flavor } from '../profiles/profile-set.ts';
import { UsageError } from './usage-error.ts';

/** Output streams of a command. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** Progress (overwritten in place on a terminal). */
  progress?(text: string): void;
}

/**
 * @param value - The --flavor value.
 * @returns The flavour.
 * @throws UsageError for anything but eu or mado.
 */
export function parseFlavor(value: string): Flavor {
  if (value !== 'eu' && value !== 'mado') {
    throw new UsageError(`--flavor must be eu or mado, not ${value}`);
  }
  return value;
}
