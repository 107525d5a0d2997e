// The harness side of the MongoDB wire protocol (OP_MSG, opcode 2013): enough BSON to send a command such
// as {hello: 1, $db: "admin"} and read the reply document — the readiness probe of a Mongo stand-in, real
// or built-in. Encoders and decoders are pure.
import { connect } from 'node:net';

type BsonValue =
  null | boolean | number | bigint | string | Date | Uint8Array | BsonValue[] | { [k: string]: BsonValue };
type BsonDoc = { [k: string]: BsonValue };

const OP_MSG = 2013;
const OP_REPLY = 1;

function cstring(s: string): Buffer {
  if (s.includes('\0')) throw new Error(`BSON key ${JSON.stringify(s)} contains NUL`);
  return Buffer.concat([Buffer.from(s, 'utf8'), Buffer.from([0])]);
}

function element(key: string, v: BsonValue): Buffer {
  const k = cstring(key);
  const tagged = (type: number, body: Buffer) => Buffer.concat([Buffer.from([type]), k, body]);
  if (v === null) return tagged(0x0a, Buffer.alloc(0));
  if (typeof v === 'boolean') return tagged(0x08, Buffer.from([v ? 1 : 0]));
  if (typeof v === 'bigint') {
    const b = Buffer.alloc(8);
    b.writeBigInt64LE(v);
    return tagged(0x12, b);
  }
  if (typeof v === 'number') {
    if (Number.isInteger(v) && v >= -(2 ** 31) && v < 2 ** 31) {
      const b = Buffer.alloc(4);
      b.writeInt32LE(v);
      return tagged(0x10, b);
    }
    const b = Buffer.alloc(8);
    b.writeDoubleLE(v);
    return tagged(0x01, b);
  }
  if (typeof v === 'string') {
    const s = Buffer.from(v, 'utf8');
    const len = Buffer.alloc(4);
    len.writeInt32LE(s.length + 1);
    return tagged(0x02, Buffer.concat([len, s, Buffer.from([0])]));
  }
  if (v instanceof Date) {
    const b = Buffer.alloc(8);
    b.writeBigInt64LE(BigInt(v.getTime()));
    return tagged(0x09, b);
  }
  if (v instanceof Uint8Array) {
    const head = Buffer.alloc(5);
    head.writeInt32LE(v.length);
    return tagged(0x05, Buffer.concat([head, Buffer.from(v)]));
  }
  if (Array.isArray(v)) return tagged(0x04, encodeBson(Object.fromEntries(v.map((x, i) => [String(i), x]))));
  return tagged(0x03, encodeBson(v));
}

export function encodeBson(doc: BsonDoc): Buffer {
  const body = Buffer.concat(Object.entries(doc).map(([k, v]) => element(k, v)));
  const len = Buffer.alloc(4);
  len.writeInt32LE(body.length + 5);
  return Buffer.concat([len, body, Buffer.from([0])]);
}

class BsonError extends Error {}

/** Decodes one document at `offset`; ObjectId and Timestamp come back as hex / bigint, unknown types are an error. */
export function decodeBson(buf: Buffer, offset = 0): BsonDoc {
  const size = buf.readInt32LE(offset);
  if (size < 5 || offset + size > buf.length || buf[offset + size - 1] !== 0)
    throw new BsonError(`bad BSON document length ${size} at ${offset}`);
  const end = offset + size - 1;
  const out: BsonDoc = {};
  let p = offset + 4;
  const cstr = () => {
    const z = buf.indexOf(0, p);
    if (z < 0 || z > end) throw new BsonError('unterminated BSON key');
    const s = buf.toString('utf8', p, z);
    p = z + 1;
    return s;
  };
  while (p < end) {
    const type = buf[p++]!;
    const key = cstr();
    switch (type) {
      case 0x01:
        out[key] = buf.readDoubleLE(p);
        p += 8;
        break;
      case 0x02: {
        const n = buf.readInt32LE(p);
        out[key] = buf.toString('utf8', p + 4, p + 4 + n - 1);
        p += 4 + n;
        break;
      }
      case 0x03:
      case 0x04: {
        const n = buf.readInt32LE(p);
        const d = decodeBson(buf, p);
        out[key] = type === 0x04 ? Object.values(d) : d;
        p += n;
        break;
      }
      case 0x05: {
        const n = buf.readInt32LE(p);
        out[key] = new Uint8Array(buf.subarray(p + 5, p + 5 + n));
        p += 5 + n;
        break;
      }
      case 0x07:
        out[key] = buf.toString('hex', p, p + 12);
        p += 12;
        break;
      case 0x08:
        out[key] = buf[p] === 1;
        p += 1;
        break;
      case 0x09:
        out[key] = new Date(Number(buf.readBigInt64LE(p)));
        p += 8;
        break;
      case 0x0a:
        out[key] = null;
        break;
      case 0x10:
        out[key] = buf.readInt32LE(p);
        p += 4;
        break;
      case 0x11:
      case 0x12:
        out[key] = buf.readBigInt64LE(p);
        p += 8;
        break;
      default:
        throw new BsonError(`BSON type 0x${type.toString(16)} of "${key}" is not supported`);
    }
  }
  return out;
}

/** One OP_MSG with a single body section (kind 0). */
export function opMsg(requestId: number, command: BsonDoc): Buffer {
  const body = encodeBson(command);
  const head = Buffer.alloc(21);
  head.writeInt32LE(21 + body.length, 0);
  head.writeInt32LE(requestId, 4);
  head.writeInt32LE(0, 8);
  head.writeInt32LE(OP_MSG, 12);
  head.writeUInt32LE(0, 16); // flagBits
  head[20] = 0; // section kind 0: body
  return Buffer.concat([head, body]);
}

/** The reply document of one complete message (OP_MSG body section, or OP_REPLY's first document). */
export function parseReply(msg: Buffer): { responseTo: number; doc: BsonDoc } {
  const responseTo = msg.readInt32LE(8);
  const opCode = msg.readInt32LE(12);
  if (opCode === OP_MSG) {
    if (msg[20] !== 0) throw new BsonError(`OP_MSG reply starts with section kind ${msg[20]}, not a body`);
    return { responseTo, doc: decodeBson(msg, 21) };
  }
  if (opCode === OP_REPLY) return { responseTo, doc: decodeBson(msg, 36) };
  throw new BsonError(`reply opcode ${opCode} is neither OP_MSG nor OP_REPLY`);
}

/** Sends one command over a fresh connection and resolves with the reply document. */
export function mongoCommand(host: string, port: number, command: BsonDoc, timeoutMs = 2_000): Promise<BsonDoc> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    let buf = Buffer.alloc(0);
    let settled = false;
    const finish = (e?: Error, doc?: BsonDoc) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (e) reject(e);
      else resolve(doc!);
    };
    const timer = setTimeout(
      () => finish(new Error(`${host}:${port}: no reply to ${Object.keys(command)[0]} within ${timeoutMs} ms`)),
      timeoutMs,
    );
    socket.on('connect', () => socket.write(opMsg(1, command)));
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      if (buf.length < 4 || buf.length < buf.readInt32LE(0)) return;
      try {
        finish(undefined, parseReply(buf.subarray(0, buf.readInt32LE(0))).doc);
      } catch (e) {
        finish(e as Error);
      }
    });
    socket.on('error', (e) => finish(new Error(`${host}:${port}: ${e.message}`)));
    socket.on('close', () => finish(new Error(`${host}:${port}: the connection closed before a reply`)));
  });
}
