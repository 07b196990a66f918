// corgi-expect: js-buffer-noassert
function readFrameHeader(buf, offset) {
  const length = buf.readUInt32BE(offset, true);
  const type = buf.readUInt8(offset + 4, true);
  return { length, type };
}

module.exports = { readFrameHeader };
