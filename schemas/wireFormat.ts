/**
 * The Confluent wire format: magic byte 0, a 4-byte big-endian schema id, then the Avro
 * binary body. Apicurio's Confluent-compatible API and every Confluent client agree on it.
 */

/** The first byte of every framed message. */
export const WIRE_MAGIC = 0;
const MAGIC = WIRE_MAGIC;
/** Bytes before the Avro body: the magic byte and the schema id. */
export const WIRE_HEADER_BYTES = 5;

/** Frames an Avro body with its schema id. */
export function frame(schemaId: number, body: Buffer): Buffer {
  const out = Buffer.allocUnsafe(5 + body.length);
  out.writeUInt8(MAGIC, 0);
  out.writeUInt32BE(schemaId, 1);
  body.copy(out, 5);
  return out;
}

/** Splits a framed message into schema id and Avro body; throws on anything else. */
export function unframe(message: Buffer): { schemaId: number; body: Buffer } {
  if (message.length < 5 || message.readUInt8(0) !== MAGIC) throw new Error('not a Confluent-framed Avro message');
  return { schemaId: message.readUInt32BE(1), body: message.subarray(5) };
}
