function readFrameHeader(buf, offset) {
  if (offset < 0 || offset + 5 > buf.length) throw new RangeError("truncated frame header");
  const length = buf.readUInt32BE(offset);
  const type = buf.readUInt8(offset + 4);
  return { length, type };
}

module.exports = { readFrameHeader };
