/**
 * The Confluent wire format: magic byte 0, a 4-byte big-endian schema id, then the Avro
 * binary body. Apicurio's Confluent-compatible API and every Confluent client agree on it.
 */

const MAGIC = 0;
/** Bytes before the Avro body: the magic byte and the schema id. */
export const WIRE_HEADER_BYTES = 5;

/** Writes the header of a framed message at `pos` of `buf` (its body follows at pos + 5). */
export function writeWireHeader(buf: Buffer, pos: number, schemaId: number): void {
  buf.writeUInt8(MAGIC, pos);
  buf.writeUInt32BE(schemaId, pos + 1);
}

/** Frames an Avro body with its schema id. */
export function frame(schemaId: number, body: Buffer): Buffer {
  const out = Buffer.allocUnsafe(WIRE_HEADER_BYTES + body.length);
  writeWireHeader(out, 0, schemaId);
  body.copy(out, WIRE_HEADER_BYTES);
  return out;
}

/** Splits a framed message into schema id and Avro body; throws on anything else. */
export function unframe(message: Buffer): { schemaId: number; body: Buffer } {
  if (message.length < WIRE_HEADER_BYTES || message.readUInt8(0) !== MAGIC)
    throw new Error('not a Confluent-framed Avro message');
  return { schemaId: message.readUInt32BE(1), body: message.subarray(WIRE_HEADER_BYTES) };
}
