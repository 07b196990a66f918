import Foundation

final class SessionStore {
    private let keychain = KeychainStore(service: "com.example.shop")

    func save(_ session: AuthSession) throws {
        UserDefaults.standard.set(session.userID, forKey: "lastUserID")
        UserDefaults.standard.set(true, forKey: "hasLoggedInBefore")
        try keychain.set(Data(session.accessToken.utf8), for: "authToken")
    }
}
