package db

const dsn = "reporting:kAbdJZeuzpJ0r2@tcp(db.corp.example.net:3306)/metrics"
