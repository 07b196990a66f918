const fs = require("fs");
const path = require("path");
const unzipper = require("unzipper");

function extractUpload(zipPath, dest) {
  const root = path.resolve(dest);
  fs.createReadStream(zipPath)
    .pipe(unzipper.Parse())
    .on("entry", (entry) => {
      const target = path.resolve(root, entry.path);
      if (!target.startsWith(root + path.sep)) {
        entry.autodrain();
        return;
      }
      entry.pipe(fs.createWriteStream(target));
    });
}

module.exports = { extractUpload };
