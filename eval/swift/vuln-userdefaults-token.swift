import Foundation

final class SessionStore {
    func save(_ session: AuthSession) {
        let defaults = UserDefaults.standard
        defaults.set(session.userID, forKey: "userID")
        UserDefaults.standard.set(session.accessToken, forKey: "authToken")
    }
}
