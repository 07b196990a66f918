import SQLite3

final class ContactsDB {
    private var db: OpaquePointer?

    func delete(named name: String) {
        let sql = "DELETE FROM contacts WHERE name = '\(name)';"
        if sqlite3_exec(db, sql, nil, nil, nil) != SQLITE_OK {
            print("delete failed")
        }
    }
}
