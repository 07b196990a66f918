const accountName = process.env.STORAGE_ACCOUNT || "acmeassets";
const accountKey = process.env.STORAGE_ACCOUNT_KEY || "";
if (!accountKey) throw new Error("STORAGE_ACCOUNT_KEY is not set");
