package db

const dsn = "reporting@tcp(db.corp.example.net:3306)/metrics"
