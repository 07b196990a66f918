// corgi-expect: js-grpc-insecure-credentials
const grpc = require("@grpc/grpc-js");
const { LedgerClient } = require("./gen/ledger_grpc_pb");

module.exports = new LedgerClient(process.env.LEDGER_ADDR, grpc.credentials.createInsecure());
