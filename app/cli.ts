/**
 * `npm run -s cli -- <command>`: the operator's command line. Each part of the system
 * registers its own commands; this file only assembles them.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { isGetihuError } from '../lib/errors.js';
import { registerGatewayCommands } from './commands/gateway.js';
import { registerMatcherCommands } from './commands/matchers.js';
import { registerPipelineCommands } from './commands/pipeline.js';
import { registerSupportCommands } from './commands/support.js';

/** The version of this build (package.json). */
const VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** Builds the root command. */
export function buildProgram(): Command {
  const program = new Command('getihu')
    .description('Typing (分型) and 名特优新 recognition of individual businesses (个体工商户)')
    .version(VERSION, '--version', 'print the version')
    .showHelpAfterError()
    .exitOverride();
  registerMatcherCommands(program);
  registerSupportCommands(program);
  registerPipelineCommands(program);
  registerGatewayCommands(program);
  return program;
}

/** Runs the CLI; resolves to the exit code. */
export async function runCli(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return process.exitCode === undefined ? 0 : Number(process.exitCode);
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    if (isGetihuError(err)) {
      process.stderr.write(`getihu: ${err.code}: ${err.message}\n`);
      // sysexits: 66 (EX_NOINPUT) for an input that cannot be opened; 2 for anything else the caller got wrong.
      return err.code === 'NO_INPUT' ? 66 : 2;
    }
    throw err;
  }
}

if (process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/^.*\//, '/').replace(/\\/g, '/'))) {
  // A finished command exits, whatever it left open: a command that failed must never idle on
  // with a connection that keeps the process alive. It exits once what it wrote is flushed.
  const exit = (code: number) => {
    process.exitCode = code;
    process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
  };
  // A reader that stops early (`| head`) closes the pipe: the command ends quietly, as Unix tools do.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
  runCli(process.argv.slice(2)).then(exit, (err) => {
    process.stderr.write(`getihu: internal error: ${(err as Error).stack ?? String(err)}\n`);
    exit(70);
  });
}
