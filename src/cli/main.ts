/**
 * The `imaging-manifest` command line: `build` and `validate`, both without any server.
 */
import '../runtime/websocket-shim.ts';
import { buildCommand } from './build-command.ts';
import { demoCommand } from './demo-command.ts';
import { setupCommand } from './setup-command.ts';
import type { Io } from './io.ts';
import { UsageError } from './usage-error.ts';
import { validateCommand } from './validate-command.ts';

const USAGE = `usage:
  imaging-manifest build <file-or-folder>... [--out FILE | --out-dir DIR] [--flavor eu|mado]
      [--dicomweb-base URL] [--viewer-url TEMPLATE] [--patient-id-system URI]
      [--accession-system URI] [--timezone ZONE]
  imaging-manifest validate <bundle.json>... [--flavor eu|mado] [--json]
  imaging-manifest demo [<file-or-folder>...] [--out FILE] [--flavor eu|mado] [--viewer-url TEMPLATE]
  imaging-manifest setup [--dicomweb-base URL] [--viewer-url TEMPLATE] [--flavor eu|mado]
      [--runtime vmcontext|awslambda] [--dry-run]     (MEDPLUM_BASE_URL, MEDPLUM_CLIENT_ID, MEDPLUM_CLIENT_SECRET)`;

/**
 * Runs one command.
 * @param argv - The arguments after the program name.
 * @param io - Output streams.
 * @returns The exit code (2 for usage errors).
 */
export async function run(argv: string[], io: Io): Promise<number> {
  const [command, ...args] = argv;
  try {
    switch (command) {
      case 'build':
        return buildCommand(args, io);
      case 'validate':
        return validateCommand(args, io);
      case 'demo':
        return await demoCommand(args, io);
      case 'setup':
        return await setupCommand(args, io);
      case '--help':
      case '-h':
      case 'help':
        io.out(USAGE);
        return 0;
      default:
        throw new UsageError(command ? `unknown command ${command}` : 'no command given');
    }
  } catch (err) {
    if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.err(`${(err as Error).message}\n${USAGE}`);
      return 2;
    }
    throw err;
  }
}

const isMain = process.argv[1]?.endsWith('imaging-manifest.js') || process.argv[1]?.endsWith('main.ts');
if (isMain) {
  process.exitCode = await run(process.argv.slice(2), {
    out: (t) => process.stdout.write(`${t}\n`),
    err: (t) => process.stderr.write(`${t}\n`),
    progress: (t) => process.stderr.write(process.stderr.isTTY ? `\r${t}` : `${t}\n`),
  });
}
