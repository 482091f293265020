/** The gateway's commands: token (development tokens), badge-keys, audit verify, serve. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import {
  AUDIENCE,
  DEV_ISSUER,
  devKeyRings,
  KEYS_DIR,
  KeyRing,
  NATIONAL,
  REGIONAL_ROLES,
  ROLES,
  type Role,
  startGateway,
  verifyAudit,
} from '../../gateway/index.js';
import { GetihuError } from '../../lib/errors.js';
import { untilStopped } from '../../lib/signals.js';
import { Store } from '../../lib/store/index.js';
import { startSink } from '../../pipeline/index.js';
import { configFromEnv, openPipeline, schemaOfPrefix } from '../pipeline.js';
import { gatewaySettings } from '../settings.js';

/** The checkpoint key ring the gateways sign with (GETIHU_CHECKPOINT_KEYS, else the development ring's file), if any. */
async function checkpointRing(): Promise<KeyRing | undefined> {
  const given = process.env.GETIHU_CHECKPOINT_KEYS;
  if (given !== undefined && given !== '') return KeyRing.fromJson(given, 'GETIHU_CHECKPOINT_KEYS');
  const file = join(KEYS_DIR, 'checkpoint.json');
  return existsSync(file) ? await KeyRing.load(file) : undefined;
}

/** Adds the gateway commands to the CLI. */
export function registerGatewayCommands(program: Command): void {
  program
    .command('token')
    .description('mint a development access token (ES256, key under .data/keys) and print it bare on stdout')
    .requiredOption('--role <role>', ROLES.join('|'))
    .requiredOption('--sub <subject>', 'who the token is for')
    .option(
      '--region <code>',
      `6-digit division the caller acts for (${NATIONAL}: the country); required of ${REGIONAL_ROLES.join(', ')}`,
    )
    .option('--scope <scopes...>', 'scopes, e.g. feeds:tax')
    .option('--ttl <duration>', 'lifetime (e.g. 1h, 30m; a token older than 24h is refused whatever its expiry)', '1h')
    .action(async (o: { role: string; sub: string; region?: string; scope?: string[]; ttl: string }) => {
      if (!(ROLES as readonly string[]).includes(o.role))
        throw new GetihuError('INVALID_ARGUMENT', `--role: one of ${ROLES.join(', ')}`);
      if (o.region !== undefined && !/^\d{6}$/.test(o.region))
        throw new GetihuError('INVALID_ARGUMENT', '--region: a 6-digit division code');
      if (o.region === undefined && (REGIONAL_ROLES as readonly string[]).includes(o.role))
        throw new GetihuError('INVALID_ARGUMENT', `--region: a ${o.role}'s token names its region (${NATIONAL} for the country)`);
      const { access } = await devKeyRings();
      const token = await access.sign(
        {
          role: o.role as Role,
          ...(o.region === undefined ? {} : { region: o.region }),
          ...(o.scope === undefined ? {} : { scope: o.scope.join(' ') }),
        },
        { issuer: DEV_ISSUER, audience: AUDIENCE, subject: o.sub, expiresIn: o.ttl },
      );
      process.stdout.write(`${token}\n`);
    });

  program
    .command('badge-keys')
    .description(
      'print a new badge key ring as JSON (private keys included) for GETIHU_BADGE_KEYS, so every gateway replica signs with the same keys',
    )
    .action(async () => {
      process.stdout.write(`${(await KeyRing.ephemeral()).serialize()}\n`);
    });

  program
    .command('audit')
    .description('audit log tools')
    .command('verify')
    .description(
      'recompute the hash chain of the audit log in DATABASE_URL (or a PGlite folder) and check it against the signed checkpoints (GETIHU_CHECKPOINT_KEYS, else .data/keys/checkpoint.json): exit 0 only when verified',
    )
    .option('--pglite <dir>', 'a PGlite data folder (the server must be stopped)')
    .action(async (o: { pglite?: string }) => {
      const url = process.env.DATABASE_URL;
      // A folder with no database would be opened as a new, empty one, whose chain is trivially whole.
      if (o.pglite !== undefined && !existsSync(join(o.pglite, 'PG_VERSION')))
        throw new GetihuError('NO_INPUT', `--pglite: '${o.pglite}' holds no database`, { option: '--pglite' });
      const store =
        o.pglite !== undefined
          ? await Store.pglite(o.pglite)
          : url !== undefined
            ? // The deployment's schema, as the services derive it (GETIHU_DB_SCHEMA, else from GETIHU_TOPIC_PREFIX).
              await Store.postgres(url, process.env.GETIHU_DB_SCHEMA || schemaOfPrefix(process.env.GETIHU_TOPIC_PREFIX ?? ''))
            : undefined;
      if (store === undefined) throw new GetihuError('INVALID_CONFIG', 'set DATABASE_URL or give --pglite <dir>');
      try {
        const v = await verifyAudit(store, await checkpointRing(), process.env.GETIHU_BADGE_ISSUER || DEV_ISSUER);
        process.stdout.write(`${JSON.stringify(v)}\n`);
        // Broken, or vouched for by no signed checkpoint: not verified.
        if (!v.ok) process.exitCode = 1;
      } finally {
        await store.close();
      }
    });

  program
    .command('serve')
    .description('serve the gateway (and keep the serving store in step) on PORT (default 8080)')
    .action(async () => {
      const config = configFromEnv();
      // Checked before anything starts: outside development (NODE_ENV=production, or on Kafka and
      // PostgreSQL) an identity provider, unless GETIHU_DEV_KEYS=1 asks for the development keys.
      const settings = gatewaySettings(process.env, {
        production: process.env.NODE_ENV === 'production' || config.mode === 'kafka',
      });
      const p = await openPipeline(config);
      const sink = await startSink(p.ctx, p.store);
      const g = await startGateway({ store: p.store, pipeline: p.ctx, settings }).catch(async (err: unknown) => {
        await sink.stop();
        await p.close();
        throw err;
      });
      process.stderr.write(`gateway on ${g.url} (docs: ${g.url}/docs)\n`);
      await untilStopped();
      await g.close();
      await sink.stop();
      await p.close();
    });
}
