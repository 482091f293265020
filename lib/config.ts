/**
 * Configuration: one schema-checked object, read once from the file named by
 * `GETIHU_CONFIG` (JSON) over the defaults, then frozen. Errors name the key and what it accepts.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { GetihuError } from './errors.js';

const configSchema = z
  .object({
    creditCodes: z
      .object({
        /**
         * Genuine codes that fail a GB 32100 / GB 11714 checksum and are accepted anyway, each
         * with the reason it was admitted. Such codes always carry a warning.
         */
        checksumAllowList: z.array(z.object({ code: z.string().length(18), reason: z.string().min(1) }).strict()).default([]),
      })
      .strict()
      .default({ checksumAllowList: [] }),
    /** Folder of rule files; the shipped `matchers/rules` when absent. */
    rulesDir: z.string().min(1).optional(),
  })
  .strict();

/** The validated configuration. */
export type Config = Readonly<z.infer<typeof configSchema>>;

/**
 * Parses configuration data.
 * @throws GetihuError `INVALID_CONFIG` naming the key.
 */
export function parseConfig(data: unknown, origin = 'configuration'): Config {
  const parsed = configSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0] as z.core.$ZodIssue;
    const key = issue.path.join('.') || '(root)';
    throw new GetihuError('INVALID_CONFIG', `${origin}: ${key}: ${issue.message}`, { key });
  }
  return Object.freeze(parsed.data);
}

/** Loads the configuration named by `GETIHU_CONFIG`, or the defaults. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const file = env.GETIHU_CONFIG;
  if (file === undefined || file === '') return parseConfig({});
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new GetihuError(
      'INVALID_CONFIG',
      `GETIHU_CONFIG: cannot read '${file}' as JSON`,
      { key: 'GETIHU_CONFIG' },
      { cause: err },
    );
  }
  return parseConfig(data, file);
}

/** The allow-listed codes as a set, upper-cased. */
export function checksumAllowSet(config: Config): ReadonlySet<string> {
  return new Set(config.creditCodes.checksumAllowList.map((e) => e.code.toUpperCase()));
}
