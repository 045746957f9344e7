// A growable little-endian byte buffer for the GGUF header (metadata and tensor infos).
// Headers of real models hold ~150k token strings, so it grows geometrically.

export class ByteWriter {
  private buf = new Uint8Array(1 << 16);
  private view = new DataView(this.buf.buffer);
  private pos = 0;
  private readonly encoder = new TextEncoder();

  get length(): number {
    return this.pos;
  }

  private reserve(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  u8(v: number): void { this.reserve(1); this.view.setUint8(this.pos, v); this.pos += 1; }
  i8(v: number): void { this.reserve(1); this.view.setInt8(this.pos, v); this.pos += 1; }
  u16(v: number): void { this.reserve(2); this.view.setUint16(this.pos, v, true); this.pos += 2; }
  i16(v: number): void { this.reserve(2); this.view.setInt16(this.pos, v, true); this.pos += 2; }
  u32(v: number): void { this.reserve(4); this.view.setUint32(this.pos, v, true); this.pos += 4; }
  i32(v: number): void { this.reserve(4); this.view.setInt32(this.pos, v, true); this.pos += 4; }
  f32(v: number): void { this.reserve(4); this.view.setFloat32(this.pos, v, true); this.pos += 4; }
  f64(v: number): void { this.reserve(8); this.view.setFloat64(this.pos, v, true); this.pos += 8; }
  u64(v: number | bigint): void { this.reserve(8); this.view.setBigUint64(this.pos, BigInt(v), true); this.pos += 8; }
  i64(v: number | bigint): void { this.reserve(8); this.view.setBigInt64(this.pos, BigInt(v), true); this.pos += 8; }

  /** gguf_string: u64 byte length, then UTF-8 bytes, no terminator. */
  string(s: string): void {
    const bytes = this.encoder.encode(s);
    this.u64(bytes.length);
    this.bytes(bytes);
  }

  bytes(b: Uint8Array): void {
    this.reserve(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  padTo(alignment: number): void {
    const pad = (alignment - (this.pos % alignment)) % alignment;
    this.reserve(pad);
    this.buf.fill(0, this.pos, this.pos + pad);
    this.pos += pad;
  }

  finish(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }
}
