import Foundation
import os

private let logger = Logger(subsystem: "com.example.shop", category: "auth")

func signIn(email: String, password: String) async throws -> User {
    logger.info("Signing in \(email, privacy: .private)")
    let user = try await api.login(email: email, password: password)
    logger.debug("login ok for user \(user.id)")
    return user
}
