const { execFile } = require("child_process");
const path = require("path");

function makeThumbnail(upload, done) {
  const out = path.join("/tmp/thumbs", `${upload.id}.png`);
  execFile("convert", [upload.storedPath, "-resize", "200x200", out], (err) => {
    if (err) return done(err);
    done(null, out);
  });
}

module.exports = { makeThumbnail };
