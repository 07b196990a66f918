/// One complete operation received from the server.
enum ServerOperation: Sendable, Equatable {
    case info(ServerInfo)
    case message(NATSMessage)
    case ping
    case pong
    case ok
    case error(String)
}
