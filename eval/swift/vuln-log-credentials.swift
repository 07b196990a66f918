import Foundation

func signIn(email: String, password: String) async throws -> User {
    print("Signing in \(email) with password \(password)")
    let user = try await api.login(email: email, password: password)
    NSLog("login ok, token=\(user.token)")
    return user
}
