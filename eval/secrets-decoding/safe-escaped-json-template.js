// The password is filled in from the environment when the service starts.
const template = "{\"service\": \"billing\", \"database\": {\"user\": \"billing\", \"password\": \"${DB_PASSWORD}\"}}";
module.exports = template;
