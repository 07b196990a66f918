import GRDB

struct NoteRepository {
    let dbQueue: DatabaseQueue

    func search(_ term: String) throws -> [Note] {
        try dbQueue.read { db in
            try Note.fetchAll(db, sql: "SELECT * FROM note WHERE body LIKE ?", arguments: ["%\(term)%"])
        }
    }
}
