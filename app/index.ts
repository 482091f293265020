/**
 * app/ — the composition root. Everything is assembled here and nowhere else: `pipeline.ts`
 * builds the parts for a run mode (config, bus, registry-backed codec, store, rule book), the
 * commands start them (`commands/`: the core's, the pipeline's, the gateway's), and the entry
 * points are thin: `cli.ts` (`npm run cli`) and `main.ts` (`npm start`). No other folder imports
 * app/ (`.dependency-cruiser.cjs`, run by `npm run lint`).
 */
export { buildProgram, runCli } from './cli.js';
export {
  type BusOnlyPipeline,
  configFromEnv,
  ingestBusinesses,
  openPipeline,
  type Pipeline,
  type PipelineConfig,
} from './pipeline.js';
