// The SSH wire format (RFC 4251 §5): strings, uint32, uint64 and mpints, for reading key blobs and
// writing certificates. The reader fails with x/crypto/ssh's `ssh: short read` so errors match Vault's.

/** Reads SSH wire values from a buffer; every read past the end throws `ssh: short read`. */
export class WireReader {
  private offset = 0;
  constructor(private readonly buf: Uint8Array) {}

  get remaining(): number {
    return this.buf.length - this.offset;
  }

  private take(n: number): Buffer {
    if (n > this.remaining) throw new Error('ssh: short read');
    const out = Buffer.from(this.buf.buffer, this.buf.byteOffset + this.offset, n);
    this.offset += n;
    return out;
  }

  uint32(): number {
    return this.take(4).readUInt32BE(0);
  }

  uint64(): bigint {
    return this.take(8).readBigUInt64BE(0);
  }

  bytes(): Buffer {
    return this.take(this.uint32());
  }

  string(): string {
    return this.bytes().toString('latin1');
  }

  /** The rest of the buffer, without consuming it. */
  rest(): Buffer {
    return Buffer.from(this.buf.buffer, this.buf.byteOffset + this.offset, this.remaining);
  }
}

/** Builds an SSH wire-format buffer from parts. */
export class WireWriter {
  private readonly parts: Buffer[] = [];

  raw(b: Uint8Array): this {
    this.parts.push(Buffer.from(b.buffer, b.byteOffset, b.length));
    return this;
  }

  uint32(n: number): this {
    const b = Buffer.allocUnsafe(4);
    b.writeUInt32BE(n, 0);
    return this.raw(b);
  }

  uint64(n: bigint): this {
    const b = Buffer.allocUnsafe(8);
    b.writeBigUInt64BE(n, 0);
    return this.raw(b);
  }

  bytes(b: Uint8Array): this {
    return this.uint32(b.length).raw(b);
  }

  string(s: string): this {
    return this.bytes(Buffer.from(s, 'utf8'));
  }

  /** An unsigned big-endian integer as an SSH mpint (leading zeros stripped, a 0x00 added if the top bit is set). */
  mpint(unsigned: Uint8Array): this {
    let i = 0;
    while (i < unsigned.length && unsigned[i] === 0) i++;
    const body = Buffer.from(unsigned.subarray(i));
    return this.bytes(body.length > 0 && body[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), body]) : body);
  }

  toBuffer(): Buffer {
    return Buffer.concat(this.parts);
  }
}

/** Concatenated SSH strings, as used for principal lists. */
export function packStrings(items: readonly string[]): Buffer {
  const w = new WireWriter();
  for (const s of items) w.string(s);
  return w.toBuffer();
}
