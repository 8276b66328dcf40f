/**
 * ISO base media (MP4, MOV, M4A) box headers: the one reading of a box's size and type that the
 * container sniffer, the MP4 index reader and `validate --deep` share. Pure; no I/O.
 */

/** A box header: the type, the header's length (8, or 16 with a 64-bit size) and the whole box's size. */
export interface BoxHeader {
  type: string;
  header: number;
  size: number;
}

/** A box inside a buffer: its type and where its content starts and ends. */
export interface Box {
  type: string;
  start: number;
  end: number;
}

/**
 * Reads the header at `pos` of `bytes` for a box that may run for `room` bytes (to the end of its
 * parent or of the file; a size of 0 means exactly that). Undefined when fewer than 8 bytes, or
 * fewer than 16 for a 64-bit size, are there. The size is not checked against `room`: callers
 * differ in what a box that claims too much means.
 */
export function boxHeader(bytes: Buffer, pos: number, room: number): BoxHeader | undefined {
  if (bytes.length - pos < 8) return undefined;
  const type = bytes.toString('latin1', pos + 4, pos + 8);
  const size = bytes.readUInt32BE(pos);
  if (size === 1) return bytes.length - pos < 16 ? undefined : { type, header: 16, size: Number(bytes.readBigUInt64BE(pos + 8)) };
  return { type, header: 8, size: size === 0 ? room : size };
}

/**
 * The child boxes of `buf[start, end)`, or why they cannot be read (a size that does not fit).
 * Fewer than 8 bytes left after the last box are not a box and are ignored; `end` of the last
 * box tells a caller that wants none.
 */
export function childBoxes(buf: Buffer, start: number, end: number): Box[] | string {
  const out: Box[] = [];
  let at = start;
  while (at + 8 <= end) {
    const h = boxHeader(buf.subarray(0, end), at, end - at);
    if (!h) return `box "${buf.toString('latin1', at + 4, at + 8)}" is cut short`;
    if (h.size < h.header || at + h.size > end) return `box "${h.type}" at offset ${at} claims ${h.size} bytes, past the end of its parent`;
    out.push({ type: h.type, start: at + h.header, end: at + h.size });
    at += h.size;
  }
  return out;
}
