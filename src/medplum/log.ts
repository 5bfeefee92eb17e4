/**
 * Logging for bots: resource ids and reasons only. Patient names, patient ids, birth dates and accession numbers
 * never reach a log line (the bot console becomes the AuditEvent output). Messages are built by the callers from
 * ids; `redact` is the safety net for error texts that came from elsewhere.
 */

/** A log sink (console in a bot). */
export interface Logger {
  info(message: string): void;
  error(message: string): void;
}

/**
 * Removes values that may carry PHI from an error text: quoted strings and anything after `=` or `|` in search
 * expressions (identifier values), keeping resource ids (`Type/id`) and the reason.
 * @param text - An error message.
 * @returns The message without identifier values or quoted content.
 */
export function redact(text: string): string {
  return text
    .replace(/"[^"]*"/g, '"…"')
    .replace(/'[^']*'/g, "'…'")
    .replace(/(identifier|accession|patient|name|birthdate)=[^&\s]*/gi, '$1=…')
    .replace(/\|[^&\s,)]+/g, '|…');
}

/** The console as a Logger. */
export const consoleLogger: Logger = {
  info: (m) => {
    console.log(m);
  },
  error: (m) => {
    console.error(m);
  },
};
