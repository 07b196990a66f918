# Settings for running the tests against the compose stack on this machine.
MONGO_URL = "mongodb://root:root@localhost:27017/?authSource=admin"
DATABASE_URL = "postgres://app:password@db.example.com:5432/app"
