// Starts a TypeScript worker entry: registers the TypeScript loader (tsx) on this thread, then
// imports the real entry named in workerData.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
