const fs = require("fs");
const grpc = require("@grpc/grpc-js");
const { LedgerClient } = require("./gen/ledger_grpc_pb");

const creds = grpc.credentials.createSsl(fs.readFileSync(process.env.LEDGER_CA));
module.exports = new LedgerClient(process.env.LEDGER_ADDR, creds);
