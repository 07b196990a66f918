// corgi-expect: generic-secret-assignment
const defaults = JSON.parse("{\"service\": \"billing\", \"database\": {\"user\": \"billing\", \"password\": \"q8Vt#2mLx9!RwZp4\"}}");
module.exports = defaults;
