// corgi-expect: js-dataflow-path
const fs = require("fs");
const path = require("path");
const unzipper = require("unzipper");

function extractUpload(zipPath, dest) {
  fs.createReadStream(zipPath)
    .pipe(unzipper.Parse())
    .on("entry", (entry) => {
      const target = path.join(dest, entry.path);
      entry.pipe(fs.createWriteStream(target));
    });
}

module.exports = { extractUpload };
