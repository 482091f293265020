/**
 * The topics' contracts: an Avro schema per topic under `schemas/<topic>/` (versions, golden bytes),
 * and the codec that registers them (Confluent-compatible registry, or in process) and encodes and
 * decodes with the registry's framing.
 */
export { Codec, LocalSchemaStore, latestSchemaText, RemoteSchemaStore } from './codec.js';
export { frame, WIRE_HEADER_BYTES, writeWireHeader } from './wireFormat.js';
