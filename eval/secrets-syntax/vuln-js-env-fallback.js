const { BlobServiceClient, StorageSharedKeyCredential } = require("@azure/storage-blob");

const accountName = process.env.STORAGE_ACCOUNT || "acmeassets";
const accountKey = process.env.STORAGE_ACCOUNT_KEY ||
  "huFCluL8Bl4Se+cZCuFm6RDXlRYm6ChVD6IlZHYS2kpVkpZZ3+/5TtaiCS80N59itqt4nLIOhsYxOgmriWA4xA==";

module.exports = new BlobServiceClient(
  `https://${accountName}.blob.core.windows.net`,
  new StorageSharedKeyCredential(accountName, accountKey)
);
